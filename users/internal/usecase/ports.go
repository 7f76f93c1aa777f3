package usecase

import (
	"context"
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/users/internal/domain"
)

// The errors of the ports, as the use cases tell them apart.
var (
	// ErrEmailTaken is returned by UserStore.InsertUser when the normalised
	// email belongs to another account; it matches apperr.ErrConflict and
	// its text is fit for clients.
	ErrEmailTaken = fmt.Errorf("%w: an account with this email already exists", apperr.ErrConflict)
	// ErrUserNotFound is returned for a user that does not exist; it
	// matches apperr.ErrNotFound.
	ErrUserNotFound = fmt.Errorf("%w: user not found", apperr.ErrNotFound)
	// ErrSessionChanged is returned by SessionStore.SaveSession when the
	// stored session is no longer at the generation the change was computed
	// from: load it again and reapply. It matches apperr.ErrConflict.
	ErrSessionChanged = fmt.Errorf("%w: refresh session changed concurrently", apperr.ErrConflict)
	// ErrAddressesChanged is returned by UserStore.SaveAddresses when the
	// stored address book is no longer at the version the change was
	// computed from (or the user is gone): read it again. It matches
	// apperr.ErrConflict.
	ErrAddressesChanged = fmt.Errorf("%w: address book changed concurrently", apperr.ErrConflict)
	// ErrSessionNotFound is returned for an unknown refresh session; it
	// matches apperr.ErrNotFound.
	ErrSessionNotFound = fmt.Errorf("%w: refresh session not found", apperr.ErrNotFound)
)

// UserStore keeps accounts (*store.Store is the real one).
type UserStore interface {
	// InsertUser stores a new account with the outbox entries of its
	// events; a taken email is ErrEmailTaken.
	InsertUser(ctx context.Context, u domain.User, entries []outbox.Entry) error
	// FindUserByID reads an account; a missing one is ErrUserNotFound.
	FindUserByID(ctx context.Context, id string) (domain.User, error)
	// FindUserByEmail reads an account by normalised email; ErrUserNotFound if none.
	FindUserByEmail(ctx context.Context, email string) (domain.User, error)
	// SetPasswordHash replaces an account's password hash.
	SetPasswordHash(ctx context.Context, userID, hash string, now time.Time) error
	// SaveAddresses replaces a user's address book while its stored
	// version is still prevVersion, else ErrAddressesChanged.
	SaveAddresses(ctx context.Context, userID string, book []domain.Address, prevVersion int64, now time.Time) error
}

// SessionStore keeps refresh sessions (*store.Store is the real one).
type SessionStore interface {
	// InsertSession stores a new refresh session.
	InsertSession(ctx context.Context, sess domain.RefreshSession) error
	// FindSession reads a session; a missing one is ErrSessionNotFound.
	FindSession(ctx context.Context, id string) (domain.RefreshSession, error)
	// SaveSession writes next only while the stored session is still at
	// prevGeneration, else ErrSessionChanged.
	SaveSession(ctx context.Context, next domain.RefreshSession, prevGeneration int64) error
	// DeleteSessionsExpiredBefore removes sessions expired before cutoff.
	DeleteSessionsExpiredBefore(ctx context.Context, cutoff time.Time) (int64, error)
}

// AccountStore is everything the account use cases keep.
type AccountStore interface {
	UserStore
	SessionStore
}
