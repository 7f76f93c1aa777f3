// Package authtest issues real EdDSA access tokens for tests of services
// that verify them: it serves a JWKS from an httptest server and signs
// tokens with a fresh Ed25519 key, so API tests go through the very same
// auth.Verifier as production.
package authtest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/auth/claims"
)

// Issuer signs test tokens and serves their public keys as a JWKS.
type Issuer struct {
	server      *httptest.Server
	unavailable atomic.Bool

	mu     sync.Mutex
	keys   map[string]ed25519.PrivateKey // by kid
	served []string                      // kids published in the JWKS
}

// New starts an Issuer with one published key; it stops when the test ends.
func New(t testing.TB) *Issuer {
	t.Helper()
	iss := &Issuer{keys: map[string]ed25519.PrivateKey{}}
	iss.AddKey("test-key-1", true)
	iss.server = httptest.NewServer(http.HandlerFunc(iss.serveJWKS))
	t.Cleanup(iss.server.Close)
	return iss
}

// JWKSURL is the address of the served JWKS.
func (i *Issuer) JWKSURL() string { return i.server.URL + "/.well-known/jwks.json" }

// Close stops serving the JWKS (to test an unreachable users service).
func (i *Issuer) Close() { i.server.Close() }

// SetAvailable makes the JWKS endpoint answer normally (true) or with 503
// (false), as a users service that is not up yet.
func (i *Issuer) SetAvailable(available bool) { i.unavailable.Store(!available) }

// AddKey creates a signing key named kid; published decides whether the
// JWKS lists it (an unpublished key signs tokens of an unknown kid).
func (i *Issuer) AddKey(kid string, published bool) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys[kid] = priv
	if published {
		i.served = append(i.served, kid)
	}
}

// Publish adds an existing key to the JWKS, as a rotation does.
func (i *Issuer) Publish(kid string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.served = append(i.served, kid)
}

// PublicKey returns the public key of kid.
func (i *Issuer) PublicKey(kid string) ed25519.PublicKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keys[kid].Public().(ed25519.PublicKey)
}

// Claims returns valid claims for c, issued now for 15 minutes with the
// default issuer and audience; tests alter them to forge tokens.
func Claims(c auth.Caller) claims.Access {
	now := time.Now()
	id := c.TokenID
	if id == "" {
		id = uuid.NewString()
	}
	return claims.Access{
		Roles:      c.Roles,
		MerchantID: c.MerchantID,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   c.UserID,
			Issuer:    claims.DefaultIssuer,
			Audience:  jwt.ClaimStrings{claims.DefaultAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)),
			ID:        id,
		},
	}
}

// Token signs a valid access token for c with the first key.
func (i *Issuer) Token(c auth.Caller) string {
	return i.Sign("test-key-1", Claims(c))
}

// Sign signs claims with the key named kid, which goes in the kid header.
func (i *Issuer) Sign(kid string, cl claims.Access) string {
	i.mu.Lock()
	priv := i.keys[kid]
	i.mu.Unlock()
	if priv == nil {
		panic("authtest: unknown key " + kid)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, cl)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(priv)
	if err != nil {
		panic(err)
	}
	return s
}

// Verifier returns an auth.Verifier for this issuer's JWKS with the default
// issuer and audience, refetching unknown kids at most every 10 ms.
func (i *Issuer) Verifier(t testing.TB) *auth.Verifier {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := auth.NewVerifier(ctx, auth.VerifierOptions{
		JWKSURL:                   i.JWKSURL(),
		Issuer:                    claims.DefaultIssuer,
		Audience:                  claims.DefaultAudience,
		RefreshUnknownKIDInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("authtest: new verifier: %v", err)
	}
	return v
}

func (i *Issuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	if i.unavailable.Load() {
		http.Error(w, "users service starting", http.StatusServiceUnavailable)
		return
	}
	i.mu.Lock()
	set := claims.JWKSet{Keys: []claims.JWK{}}
	for _, kid := range i.served {
		set.Keys = append(set.Keys, claims.Ed25519JWK(kid, i.keys[kid].Public().(ed25519.PublicKey)))
	}
	i.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}
