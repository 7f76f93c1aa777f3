// Package usecase holds the users service's use cases: register, log in,
// refresh, log out, read one's profile, keep one's address book
// (addresses.go), and the configured administrator.
// It joins the domain rules, the password hasher, the key ring, the login
// throttle and the store; HTTP lives in package api.
package usecase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/retry"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/security"
)

// ErrInvalidCredentials is the one answer to a failed login, whether the
// email is unknown or the password wrong.
var ErrInvalidCredentials = fmt.Errorf("%w: invalid email or password", apperr.ErrUnauthorized)

// maxSaveAttempts bounds the reload-and-retry loop of a refresh session
// write that lost a race.
const maxSaveAttempts = 3

// Options configure a Service.
type Options struct {
	// RefreshTokenTTL is the lifetime of a refresh token
	// (domain.DefaultRefreshTokenTTL when zero).
	RefreshTokenTTL time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Service runs the account use cases. Safe for concurrent use.
type Service struct {
	store    AccountStore
	hasher   *security.PasswordHasher
	ring     *security.KeyRing
	throttle *security.LoginThrottle
	opts     Options
	books    bookLocks
}

// New builds a Service.
func New(st AccountStore, hasher *security.PasswordHasher, ring *security.KeyRing, throttle *security.LoginThrottle, opts Options) *Service {
	if opts.RefreshTokenTTL <= 0 {
		opts.RefreshTokenTTL = domain.DefaultRefreshTokenTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: st, hasher: hasher, ring: ring, throttle: throttle, opts: opts}
}

// Tokens is what a successful register, login or refresh hands out.
type Tokens struct {
	User   domain.User
	Access security.AccessToken
	// Refresh is the raw refresh token; only its hash is stored.
	Refresh string
}

// Register validates in, creates the account (a merchant gets its own
// merchant id) with its user.registered event, and logs it in. An email
// already registered is an error matching apperr.ErrConflict.
func (s *Service) Register(ctx context.Context, in domain.RegistrationInput) (Tokens, error) {
	reg, err := domain.ValidateRegistration(in)
	if err != nil {
		return Tokens{}, err
	}
	hash, err := s.hasher.Hash(ctx, reg.Password)
	if err != nil {
		return Tokens{}, fmt.Errorf("register: %w", err)
	}
	user := domain.NewUser(reg, hash, s.opts.Now())
	if err := s.insertUser(ctx, user); err != nil {
		return Tokens{}, err
	}
	s.opts.Logger.InfoContext(ctx, "user registered", "user_id", user.ID, "roles", user.RoleNames(), "merchant_id", user.MerchantID)
	return s.startSession(ctx, user)
}

// Login checks an email and password. Unknown email and wrong password
// take the same time (a dummy hash) and give ErrInvalidCredentials; while
// the account or clientAddr is throttled the answer is an
// *apperr.RetryableError of kind apperr.ErrRateLimited.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (Tokens, error) {
	email, err := domain.NormalizeEmail(email)
	if err != nil {
		return Tokens{}, err
	}
	if err := s.throttle.Check(email, clientAddr, s.opts.Now()); err != nil {
		countLogin(loginThrottled)
		return Tokens{}, err
	}
	user, err := s.store.FindUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return Tokens{}, err
	}
	// user.PasswordHash is "" for an unknown email: checked against the
	// dummy hash, never a match.
	ok, err := s.hasher.Verify(ctx, password, user.PasswordHash)
	if err != nil {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	if !ok {
		s.throttle.Failure(email, clientAddr, s.opts.Now())
		countLogin(loginInvalid)
		return Tokens{}, ErrInvalidCredentials
	}
	s.throttle.Success(email)
	countLogin(loginSucceeded)
	return s.startSession(ctx, user)
}

// Refresh rotates a refresh token and issues a new access token with the
// user's current roles. A token that was already rotated revokes its whole
// session (domain.ErrRefreshTokenReused); invalid, expired or revoked
// tokens are domain.ErrRefreshTokenInvalid.
func (s *Service) Refresh(ctx context.Context, rawToken string) (Tokens, error) {
	sessionID, secret, err := domain.ParseRefreshToken(rawToken)
	if err != nil {
		return Tokens{}, err
	}
	var next domain.RefreshSession
	var token string
	err = s.updateSession(ctx, sessionID, func(sess domain.RefreshSession) (domain.RefreshUse, error) {
		use, err := sess.Use(secret, s.opts.Now(), s.opts.RefreshTokenTTL)
		next, token = use.Next, use.Token
		return use, err
	})
	if errors.Is(err, domain.ErrRefreshTokenReused) {
		s.opts.Logger.WarnContext(ctx, "refresh token reused; session revoked", "session_id", sessionID, "user_id", next.UserID)
	}
	if err != nil {
		return Tokens{}, err
	}
	user, err := s.store.FindUserByID(ctx, next.UserID)
	if errors.Is(err, ErrUserNotFound) {
		return Tokens{}, domain.ErrRefreshTokenInvalid
	}
	if err != nil {
		return Tokens{}, err
	}
	access, err := s.ring.Sign(ctx, user.ID, user.RoleNames(), user.MerchantID)
	if err != nil {
		return Tokens{}, fmt.Errorf("refresh: %w", err)
	}
	return Tokens{User: user, Access: access, Refresh: token}, nil
}

// Logout revokes the session of rawToken on behalf of userID (the caller
// of a verified access token). Logging out twice is fine; a token of
// another user's session is domain.ErrRefreshTokenInvalid.
func (s *Service) Logout(ctx context.Context, userID, rawToken string) error {
	sessionID, _, err := domain.ParseRefreshToken(rawToken)
	if err != nil {
		return err
	}
	return s.updateSession(ctx, sessionID, func(sess domain.RefreshSession) (domain.RefreshUse, error) {
		return sess.Logout(userID, s.opts.Now())
	})
}

// Me returns the account of userID.
func (s *Service) Me(ctx context.Context, userID string) (domain.User, error) {
	return s.store.FindUserByID(ctx, userID)
}

// startSession creates a refresh session for user and signs an access token.
func (s *Service) startSession(ctx context.Context, user domain.User) (Tokens, error) {
	sess, refresh := domain.NewRefreshSession(user.ID, s.opts.Now(), s.opts.RefreshTokenTTL)
	if err := s.store.InsertSession(ctx, sess); err != nil {
		return Tokens{}, err
	}
	access, err := s.ring.Sign(ctx, user.ID, user.RoleNames(), user.MerchantID)
	if err != nil {
		return Tokens{}, fmt.Errorf("sign access token: %w", err)
	}
	return Tokens{User: user, Access: access, Refresh: refresh}, nil
}

// updateSession loads a session, applies change and saves the outcome
// conditionally on the loaded generation, reloading and reapplying when a
// concurrent write won. change's error is returned after its state is saved
// (a reuse revokes the session and still fails).
func (s *Service) updateSession(ctx context.Context, sessionID string, change func(domain.RefreshSession) (domain.RefreshUse, error)) error {
	isChanged := func(err error) bool { return errors.Is(err, ErrSessionChanged) }
	// The attempt's value is change's own error, returned once saved.
	type outcome struct{ changeErr error }
	out, err := retry.Conditional(maxSaveAttempts, isChanged, func() (outcome, error) {
		sess, err := s.store.FindSession(ctx, sessionID)
		if errors.Is(err, ErrSessionNotFound) {
			return outcome{}, domain.ErrRefreshTokenInvalid
		}
		if err != nil {
			return outcome{}, err
		}
		use, changeErr := change(sess)
		if use.Save {
			if err := s.store.SaveSession(ctx, use.Next, sess.Generation); err != nil {
				return outcome{}, err
			}
		}
		return outcome{changeErr}, nil
	})
	if errors.Is(err, retry.ErrExhausted) {
		return fmt.Errorf("%w: refresh session busy, try again", apperr.ErrConflict)
	}
	if err != nil {
		return err
	}
	return out.changeErr
}
