package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// DefaultRefreshTokenTTL is how long a refresh token stays usable; every
// rotation starts a new period.
const DefaultRefreshTokenTTL = 30 * 24 * time.Hour

// Why a refresh session was revoked.
const (
	RevokedByLogout = "logout"
	RevokedByReuse  = "reuse_detected"
)

// Refresh token errors; both match apperr.ErrUnauthorized.
var (
	// ErrRefreshTokenInvalid is a malformed, unknown, expired or revoked
	// refresh token, or one presented by another user.
	ErrRefreshTokenInvalid = fmt.Errorf("%w: refresh token is invalid, expired or revoked", apperr.ErrUnauthorized)
	// ErrRefreshTokenReused is an already rotated token presented again: a
	// sign of theft, so the whole session (token family) is revoked.
	ErrRefreshTokenReused = fmt.Errorf("%w: refresh token was already used; session revoked", apperr.ErrUnauthorized)
)

// secretBytes is the entropy of a refresh token: 256 bits.
const secretBytes = 32

// RefreshSession is one login's family of refresh tokens, stored as one
// document so every change is one single-document conditional write. Only
// the current token is valid; it is stored as a SHA-256 hash, never in
// clear.
//
// A refresh token reads "<session id>.<secret>": the id finds the session
// by _id, the secret proves possession. A secret that does not match the
// current hash can only come from someone who saw an earlier token of this
// session (the id is random and appears in nothing else), so it is treated
// as reuse and revokes the session.
type RefreshSession struct {
	// ID is the family id, a UUID.
	ID string
	// UserID owns the session.
	UserID string
	// SecretHash is HashRefreshSecret of the current token's secret.
	SecretHash string
	// Generation counts changes (rotations and revocation). The store saves
	// a new state only where the stored generation is still the one the
	// change was computed from, so two concurrent uses of one token cannot
	// both rotate it.
	Generation int64
	// CreatedAt is the login time.
	CreatedAt time.Time
	// ExpiresAt is when the current token stops working.
	ExpiresAt time.Time
	// RevokedAt is zero while the session is active.
	RevokedAt time.Time
	// RevokeReason is RevokedByLogout or RevokedByReuse once revoked.
	RevokeReason string
}

// RefreshUse is the outcome of presenting a refresh token to a session.
type RefreshUse struct {
	// Next is the session's new state.
	Next RefreshSession
	// Save tells whether Next must be written (conditionally on the old
	// session's Generation); if that write finds another generation, load
	// the session again and call Use again.
	Save bool
	// Token is the new raw refresh token to hand out after a rotation.
	Token string
}

// NewRefreshSession starts a session for userID and returns it with its
// first raw refresh token.
func NewRefreshSession(userID string, now time.Time, ttl time.Duration) (RefreshSession, string) {
	s := RefreshSession{
		ID:        uuid.NewString(),
		UserID:    userID,
		CreatedAt: now.UTC(),
		ExpiresAt: now.UTC().Add(ttl),
	}
	secret := newSecret()
	s.SecretHash = HashRefreshSecret(secret)
	return s, s.ID + "." + secret
}

// ParseRefreshToken splits a raw refresh token into session id and secret.
func ParseRefreshToken(raw string) (sessionID, secret string, err error) {
	sessionID, secret, ok := strings.Cut(raw, ".")
	if !ok || uuid.Validate(sessionID) != nil {
		return "", "", ErrRefreshTokenInvalid
	}
	if b, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(b) != secretBytes {
		return "", "", ErrRefreshTokenInvalid
	}
	return sessionID, secret, nil
}

// HashRefreshSecret is the stored form of a secret: base64url(SHA-256).
func HashRefreshSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Use applies a presented secret to the session:
//   - revoked session: ErrRefreshTokenInvalid, nothing to save;
//   - secret not the current one: the session is revoked (Save) and the
//     error is ErrRefreshTokenReused;
//   - current token expired: ErrRefreshTokenInvalid, nothing to save;
//   - otherwise the token rotates: a new secret, a new expiry, Save.
func (s RefreshSession) Use(secret string, now time.Time, ttl time.Duration) (RefreshUse, error) {
	if s.Revoked() {
		return RefreshUse{Next: s}, ErrRefreshTokenInvalid
	}
	presented := HashRefreshSecret(secret)
	if subtle.ConstantTimeCompare([]byte(presented), []byte(s.SecretHash)) != 1 {
		return RefreshUse{Next: s.revoke(now, RevokedByReuse), Save: true}, ErrRefreshTokenReused
	}
	if !now.Before(s.ExpiresAt) {
		return RefreshUse{Next: s}, ErrRefreshTokenInvalid
	}
	next := s
	newSecret := newSecret()
	next.SecretHash = HashRefreshSecret(newSecret)
	next.ExpiresAt = now.UTC().Add(ttl)
	next.Generation++
	return RefreshUse{Next: next, Save: true, Token: next.ID + "." + newSecret}, nil
}

// Logout revokes the session on behalf of userID. Logging out twice is not
// an error (nothing to save the second time); a session of another user is
// ErrRefreshTokenInvalid.
func (s RefreshSession) Logout(userID string, now time.Time) (RefreshUse, error) {
	if s.UserID != userID {
		return RefreshUse{Next: s}, ErrRefreshTokenInvalid
	}
	if s.Revoked() {
		return RefreshUse{Next: s}, nil
	}
	return RefreshUse{Next: s.revoke(now, RevokedByLogout), Save: true}, nil
}

// Revoked reports whether the session was revoked.
func (s RefreshSession) Revoked() bool { return !s.RevokedAt.IsZero() }

func (s RefreshSession) revoke(now time.Time, reason string) RefreshSession {
	s.RevokedAt = now.UTC()
	s.RevokeReason = reason
	s.Generation++
	return s
}

func newSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}
