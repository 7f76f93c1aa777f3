package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/auth/claims"
	"github.com/mercato-shop/mercato/testkit/authtest"
)

var merchant = auth.Caller{UserID: "user-1", Roles: []string{auth.RoleMerchant}, MerchantID: "m-1", TokenID: "jti-1"}

func TestVerifyAcceptsValidTokenAndFillsCaller(t *testing.T) {
	iss := authtest.New(t)
	v := iss.Verifier(t)

	got, err := v.Verify(context.Background(), iss.Token(merchant))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.UserID != "user-1" || got.MerchantID != "m-1" || got.TokenID != "jti-1" || !got.IsMerchant() || got.IsAdmin() {
		t.Fatalf("caller = %+v", got)
	}
}

// forged signs or builds a token that must be refused.
type forged func(t *testing.T, iss *authtest.Issuer) string

func TestVerifyRefusesForgedTokens(t *testing.T) {
	iss := authtest.New(t)
	iss.AddKey("unpublished", false)
	v := iss.Verifier(t)

	cases := map[string]forged{
		"alg none": func(t *testing.T, _ *authtest.Issuer) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, authtest.Claims(merchant))
			tok.Header["kid"] = "test-key-1"
			s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"HS256 with the public key as secret": func(t *testing.T, iss *authtest.Issuer) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, authtest.Claims(merchant))
			tok.Header["kid"] = "test-key-1"
			s, err := tok.SignedString([]byte(iss.PublicKey("test-key-1")))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"expired": func(_ *testing.T, iss *authtest.Issuer) string {
			c := authtest.Claims(merchant)
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Minute))
			return iss.Sign("test-key-1", c)
		},
		"no exp": func(_ *testing.T, iss *authtest.Issuer) string {
			c := authtest.Claims(merchant)
			c.ExpiresAt = nil
			return iss.Sign("test-key-1", c)
		},
		"issued in the future": func(_ *testing.T, iss *authtest.Issuer) string {
			c := authtest.Claims(merchant)
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(10 * time.Minute))
			return iss.Sign("test-key-1", c)
		},
		"wrong issuer": func(_ *testing.T, iss *authtest.Issuer) string {
			c := authtest.Claims(merchant)
			c.Issuer = "evil"
			return iss.Sign("test-key-1", c)
		},
		"wrong audience": func(_ *testing.T, iss *authtest.Issuer) string {
			c := authtest.Claims(merchant)
			c.Audience = jwt.ClaimStrings{"other-suite"}
			return iss.Sign("test-key-1", c)
		},
		"tampered payload": func(_ *testing.T, iss *authtest.Issuer) string {
			parts := strings.Split(iss.Token(merchant), ".")
			c := authtest.Claims(merchant)
			c.Roles = []string{auth.RoleAdmin}
			raw, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SigningString()
			if err != nil {
				panic(err)
			}
			parts[1] = strings.Split(raw, ".")[1]
			return strings.Join(parts, ".")
		},
		"tampered signature": func(_ *testing.T, iss *authtest.Issuer) string {
			parts := strings.Split(iss.Token(merchant), ".")
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			sig[0] ^= 1
			parts[2] = base64.RawURLEncoding.EncodeToString(sig)
			return strings.Join(parts, ".")
		},
		"unknown kid": func(_ *testing.T, iss *authtest.Issuer) string {
			return iss.Sign("unpublished", authtest.Claims(merchant))
		},
		"published kid, other key's signature": func(_ *testing.T, iss *authtest.Issuer) string {
			parts := strings.Split(iss.Sign("unpublished", authtest.Claims(merchant)), ".")
			good := strings.Split(iss.Token(merchant), ".")
			parts[0] = good[0] // header naming test-key-1
			return strings.Join(parts, ".")
		},
		"no kid": func(t *testing.T, iss *authtest.Issuer) string {
			parts := strings.Split(iss.Token(merchant), ".")
			parts[0] = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","typ":"JWT"}`))
			return strings.Join(parts, ".")
		},
		"no subject": func(_ *testing.T, iss *authtest.Issuer) string {
			c := authtest.Claims(merchant)
			c.Subject = ""
			return iss.Sign("test-key-1", c)
		},
		"garbage": func(*testing.T, *authtest.Issuer) string { return "not.a.jwt" },
		"empty":   func(*testing.T, *authtest.Issuer) string { return "" },
	}
	for name, forge := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), forge(t, iss))
			if !errors.Is(err, apperr.ErrUnauthorized) {
				t.Fatalf("Verify error = %v, want ErrUnauthorized", err)
			}
			t.Logf("refused: %v", err)
		})
	}
}

func TestVerifyRefetchesJWKSForKidPublishedAfterRotation(t *testing.T) {
	iss := authtest.New(t)
	iss.AddKey("rotated", false)
	v := iss.Verifier(t)
	token := iss.Sign("rotated", authtest.Claims(merchant))

	if _, err := v.Verify(context.Background(), token); !errors.Is(err, apperr.ErrUnauthorized) {
		t.Fatalf("before publication: err = %v, want ErrUnauthorized", err)
	}
	iss.Publish("rotated")
	if _, err := v.Verify(context.Background(), token); err != nil {
		t.Fatalf("after publication: %v", err)
	}
	// The old key still verifies too.
	if _, err := v.Verify(context.Background(), iss.Token(merchant)); err != nil {
		t.Fatalf("old key after rotation: %v", err)
	}
}

func TestVerifierStartsWhileJWKSUnavailableAndRecovers(t *testing.T) {
	iss := authtest.New(t)
	iss.SetAvailable(false)
	v := iss.Verifier(t) // must not fail: users may start later

	if _, err := v.Verify(context.Background(), iss.Token(merchant)); !errors.Is(err, apperr.ErrUnauthorized) {
		t.Fatalf("while JWKS unavailable: err = %v, want ErrUnauthorized", err)
	}
	iss.SetAvailable(true)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := v.Verify(context.Background(), iss.Token(merchant))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still refused after JWKS came up: %v", err)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}

func TestVerifyWithJWKSServerGoneIsUnauthorized(t *testing.T) {
	iss := authtest.New(t)
	iss.AddKey("unpublished", false)
	v := iss.Verifier(t)
	iss.Close()

	// A known kid still verifies from the cache; an unknown kid cannot be
	// fetched and is refused without panicking.
	if _, err := v.Verify(context.Background(), iss.Token(merchant)); err != nil {
		t.Fatalf("cached key: %v", err)
	}
	_, err := v.Verify(context.Background(), iss.Sign("unpublished", authtest.Claims(merchant)))
	if !errors.Is(err, apperr.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
}

func TestVerifyIsSafeConcurrently(t *testing.T) {
	iss := authtest.New(t)
	iss.AddKey("unpublished", false)
	v := iss.Verifier(t)
	good, bad := iss.Token(merchant), iss.Sign("unpublished", authtest.Claims(merchant))

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, wantOK := good, true
			if i%2 == 1 {
				tok, wantOK = bad, false
			}
			_, err := v.Verify(context.Background(), tok)
			if (err == nil) != wantOK {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("unexpected outcome: %v", err)
	}
}

func TestNewVerifierRequiresSettings(t *testing.T) {
	_, err := auth.NewVerifier(context.Background(), auth.VerifierOptions{JWKSURL: "http://127.0.0.1:1/jwks", Issuer: claims.DefaultIssuer})
	if err == nil {
		t.Fatal("NewVerifier without audience succeeded")
	}
}

// Right after start-up (or a rotation) many requests can carry a kid the
// verifier has not fetched yet: they must share one JWKS fetch rather than
// all but one failing the fetch rate limiter.
func TestConcurrentTokensWithANewKidShareOneFetch(t *testing.T) {
	iss := authtest.New(t)
	iss.SetAvailable(false)
	// The production limiter: one unknown-kid fetch per 5 s.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // ends the verifier's background refresh
	v, err := auth.NewVerifier(ctx, auth.VerifierOptions{
		JWKSURL: iss.JWKSURL(), Issuer: claims.DefaultIssuer, Audience: claims.DefaultAudience,
		RefreshUnknownKIDInterval: auth.DefaultRefreshUnknownKIDInterval,
		FetchTimeout:              time.Second, // how long a request may wait for the limiter
	})
	if err != nil {
		t.Fatal(err)
	}
	iss.SetAvailable(true)

	token := iss.Token(merchant)
	const callers = 20
	errs := make(chan error, callers)
	start := make(chan struct{})
	for range callers {
		go func() {
			<-start
			_, err := v.Verify(context.Background(), token)
			errs <- err
		}()
	}
	close(start)
	for range callers {
		if err := <-errs; err != nil {
			t.Errorf("a concurrent first use of the key was refused: %v", err)
		}
	}
}
