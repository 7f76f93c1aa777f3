package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/users/internal/domain"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const ttl = 30 * 24 * time.Hour

func secretOf(t *testing.T, raw string) string {
	t.Helper()
	_, secret, err := domain.ParseRefreshToken(raw)
	if err != nil {
		t.Fatalf("ParseRefreshToken(%q): %v", raw, err)
	}
	return secret
}

func TestNewRefreshSessionStoresOnlyAHash(t *testing.T) {
	s, raw := domain.NewRefreshSession("user-1", t0, ttl)
	id, secret, err := domain.ParseRefreshToken(raw)
	if err != nil {
		t.Fatal(err)
	}
	if id != s.ID || s.UserID != "user-1" || !s.ExpiresAt.Equal(t0.Add(ttl)) || s.Revoked() {
		t.Fatalf("session = %+v", s)
	}
	if s.SecretHash == secret || strings.Contains(s.SecretHash, secret) || s.SecretHash != domain.HashRefreshSecret(secret) {
		t.Fatalf("stored hash %q for secret %q", s.SecretHash, secret)
	}
	_, raw2 := domain.NewRefreshSession("user-1", t0, ttl)
	if raw2 == raw {
		t.Fatal("two sessions got the same token")
	}
}

func TestParseRefreshTokenRefusesMalformed(t *testing.T) {
	_, good := domain.NewRefreshSession("u", t0, ttl)
	id, secret, _ := strings.Cut(good, ".")
	for _, raw := range []string{"", "abc", id, id + ".", "not-a-uuid." + secret, id + "." + secret[:20], id + "." + secret + "AA", id + ".!!!" + secret[3:]} {
		if _, _, err := domain.ParseRefreshToken(raw); !errors.Is(err, domain.ErrRefreshTokenInvalid) || !errors.Is(err, apperr.ErrUnauthorized) {
			t.Errorf("ParseRefreshToken(%q) err = %v", raw, err)
		}
	}
}

func TestRefreshSessionUse(t *testing.T) {
	active, raw := domain.NewRefreshSession("user-1", t0, ttl)
	current := secretOf(t, raw)
	_, otherRaw := domain.NewRefreshSession("user-1", t0, ttl)
	other := secretOf(t, otherRaw)
	revoked, _ := active.Logout("user-1", t0)

	cases := []struct {
		name        string
		session     domain.RefreshSession
		secret      string
		at          time.Time
		wantErr     error
		wantSave    bool
		wantRevoked string // RevokeReason of Next
		wantRotated bool
	}{
		{"current token rotates", active, current, t0.Add(time.Hour), nil, true, "", true},
		{"current token just before expiry rotates", active, current, t0.Add(ttl - time.Second), nil, true, "", true},
		{"expired token", active, current, t0.Add(ttl), domain.ErrRefreshTokenInvalid, false, "", false},
		{"rotated (old) token revokes the family", active, other, t0.Add(time.Hour), domain.ErrRefreshTokenReused, true, domain.RevokedByReuse, false},
		{"old token after expiry still revokes", active, other, t0.Add(2 * ttl), domain.ErrRefreshTokenReused, true, domain.RevokedByReuse, false},
		{"revoked session refuses the current token", revoked.Next, current, t0.Add(time.Hour), domain.ErrRefreshTokenInvalid, false, domain.RevokedByLogout, false},
		{"revoked session refuses an old token without saving", revoked.Next, other, t0.Add(time.Hour), domain.ErrRefreshTokenInvalid, false, domain.RevokedByLogout, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			use, err := tc.session.Use(tc.secret, tc.at, ttl)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr != nil && !errors.Is(err, apperr.ErrUnauthorized)) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if use.Save != tc.wantSave || use.Next.RevokeReason != tc.wantRevoked || (use.Token != "") != tc.wantRotated {
				t.Fatalf("use = %+v", use)
			}
			if use.Save && use.Next.Generation != tc.session.Generation+1 {
				t.Fatalf("a saved change must bump the generation: %d -> %d", tc.session.Generation, use.Next.Generation)
			}
			if !use.Save && use.Next != tc.session {
				t.Fatalf("unsaved outcome changed the session: %+v", use.Next)
			}
			if tc.wantRotated {
				newSecret := secretOf(t, use.Token)
				if use.Next.ID != tc.session.ID || use.Next.SecretHash != domain.HashRefreshSecret(newSecret) || !use.Next.ExpiresAt.Equal(tc.at.Add(ttl)) {
					t.Fatalf("rotated session = %+v", use.Next)
				}
			}
		})
	}
}

func TestRefreshRotationChain(t *testing.T) {
	s, raw := domain.NewRefreshSession("user-1", t0, ttl)
	first := secretOf(t, raw)

	use, err := s.Use(first, t0.Add(time.Minute), ttl)
	if err != nil {
		t.Fatal(err)
	}
	s, second := use.Next, secretOf(t, use.Token)
	use, err = s.Use(second, t0.Add(2*time.Minute), ttl)
	if err != nil {
		t.Fatalf("second rotation: %v", err)
	}
	s, third := use.Next, secretOf(t, use.Token)

	// A thief replays the first token: the whole family dies, including
	// the legitimate holder's newest token.
	use, err = s.Use(first, t0.Add(3*time.Minute), ttl)
	if !errors.Is(err, domain.ErrRefreshTokenReused) || !use.Save {
		t.Fatalf("replay: err = %v, use = %+v", err, use)
	}
	s = use.Next
	if _, err := s.Use(third, t0.Add(4*time.Minute), ttl); !errors.Is(err, domain.ErrRefreshTokenInvalid) {
		t.Fatalf("newest token after family revocation: err = %v", err)
	}
}

func TestRefreshSessionLogout(t *testing.T) {
	s, raw := domain.NewRefreshSession("user-1", t0, ttl)

	if use, err := s.Logout("user-2", t0); !errors.Is(err, domain.ErrRefreshTokenInvalid) || use.Save {
		t.Fatalf("logout by another user: err = %v, use = %+v", err, use)
	}
	use, err := s.Logout("user-1", t0.Add(time.Minute))
	if err != nil || !use.Save || !use.Next.Revoked() || use.Next.RevokeReason != domain.RevokedByLogout || !use.Next.RevokedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("logout: err = %v, use = %+v", err, use)
	}
	again, err := use.Next.Logout("user-1", t0.Add(2*time.Minute))
	if err != nil || again.Save {
		t.Fatalf("second logout: err = %v, use = %+v", err, again)
	}
	if _, err := use.Next.Use(secretOf(t, raw), t0.Add(3*time.Minute), ttl); !errors.Is(err, domain.ErrRefreshTokenInvalid) {
		t.Fatalf("refresh after logout: err = %v", err)
	}
}
