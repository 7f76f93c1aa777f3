package api_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mercato-shop/mercato/platform/auth/claims"
	"github.com/mercato-shop/mercato/users/internal/api"
	"github.com/mercato-shop/mercato/users/internal/security"
)

func TestMe(t *testing.T) {
	s := newService(t, newDatabaseName())
	m := s.register(t, merchant(uniqueEmail("me")))

	resp := s.do(t, request{method: http.MethodGet, path: "/api/v1/users/me", token: m.AccessToken,
		header: map[string]string{"X-User-Id": "someone-else"}})
	if resp.status != http.StatusOK {
		t.Fatalf("me: %d %s", resp.status, resp.body)
	}
	var me userBody
	if err := json.Unmarshal(resp.body, &me); err != nil {
		t.Fatal(err)
	}
	if me.ID != m.User.ID || me.Email != m.User.Email || me.Name != m.User.Name || !slices.Equal(me.Roles, []string{"merchant"}) ||
		me.MerchantID != m.User.MerchantID || me.StoreName != "Mia's Muffins" || me.Addresses == nil {
		t.Fatalf("me = %+v", me)
	}
	if strings.Contains(string(resp.body), "password") || strings.Contains(string(resp.body), "argon2") {
		t.Fatalf("profile leaks the password hash: %s", resp.body)
	}

	if resp := s.do(t, request{method: http.MethodGet, path: "/api/v1/users/me", header: map[string]string{"X-User-Id": m.User.ID}}); resp.status != http.StatusUnauthorized {
		t.Fatalf("identity header without token: %d, want 401", resp.status)
	}
}

// signingKey returns the service's current private signing key, as an
// attacker who stole nothing would NOT have; used to build tokens that are
// correctly signed but wrong in some other way.
func signingKey(t *testing.T, s *service) security.SigningKey {
	t.Helper()
	recs, err := s.store.SigningKeys().Load(context.Background())
	if err != nil || len(recs) == 0 {
		t.Fatalf("load keys: %v", err)
	}
	k, err := security.SigningKeyFromRecord(recs[len(recs)-1])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// forgedTokens are tokens for userID that every verifier must refuse.
func forgedTokens(t *testing.T, s *service, userID string, valid string) map[string]string {
	t.Helper()
	key := signingKey(t, s)
	good := func() claims.Access {
		now := time.Now()
		return claims.Access{Roles: []string{"admin"}, RegisteredClaims: jwt.RegisteredClaims{
			Subject: userID, Issuer: claims.DefaultIssuer, Audience: jwt.ClaimStrings{claims.DefaultAudience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)), ID: "forged",
		}}
	}
	sign := func(method jwt.SigningMethod, kid string, c claims.Access, secret any) string {
		tok := jwt.NewWithClaims(method, c)
		tok.Header["kid"] = kid
		out, err := tok.SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	expired := good()
	expired.IssuedAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
	expired.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-10 * time.Minute))
	wrongIssuer := good()
	wrongIssuer.Issuer = "https://evil.example"
	wrongAudience := good()
	wrongAudience.Audience = jwt.ClaimStrings{"another-suite"}
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)

	parts := strings.Split(valid, ".")
	tamperedClaims := good()
	tamperedClaims.Roles = []string{"admin"}
	tamperedPayload, _ := json.Marshal(tamperedClaims)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(tamperedPayload) + "." + parts[2]

	return map[string]string{
		"alg none":                     sign(jwt.SigningMethodNone, key.ID, good(), jwt.UnsafeAllowNoneSignatureType),
		"HS256 with the public key":    sign(jwt.SigningMethodHS256, key.ID, good(), []byte(key.Public())),
		"expired":                      sign(jwt.SigningMethodEdDSA, key.ID, expired, key.Private),
		"wrong issuer":                 sign(jwt.SigningMethodEdDSA, key.ID, wrongIssuer, key.Private),
		"wrong audience":               sign(jwt.SigningMethodEdDSA, key.ID, wrongAudience, key.Private),
		"tampered payload":             tampered,
		"unknown kid":                  sign(jwt.SigningMethodEdDSA, "not-a-known-kid", good(), otherKey),
		"known kid, another key's sig": sign(jwt.SigningMethodEdDSA, key.ID, good(), otherKey),
		"no kid":                       strings.Join(append([]string{base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","typ":"JWT"}`))}, strings.Split(sign(jwt.SigningMethodEdDSA, key.ID, good(), key.Private), ".")[1:]...), "."),
		"garbage":                      "not.a.token",
	}
}

// TestForgedTokensAreRefusedByTheService calls the users service directly
// with every forged token of the issue.
func TestForgedTokensAreRefusedByTheService(t *testing.T) {
	s := newService(t, newDatabaseName())
	victim := s.register(t, shopper(uniqueEmail("victim")))
	for name, token := range forgedTokens(t, s, victim.User.ID, victim.AccessToken) {
		t.Run(name, func(t *testing.T) {
			for _, r := range []request{
				{method: http.MethodGet, path: "/api/v1/users/me", token: token},
				{method: http.MethodPost, path: "/api/v1/auth/logout", token: token, body: jsonOf(t, map[string]string{"refresh_token": victim.RefreshToken})},
			} {
				resp := s.do(t, r)
				if resp.status != http.StatusUnauthorized || resp.problem(t).Code != "unauthorized" {
					t.Fatalf("%s %s: %d %s", r.method, r.path, resp.status, resp.body)
				}
			}
		})
	}
	// The forged logout did not revoke the victim's session.
	if resp := s.post(t, "/api/v1/auth/refresh", map[string]string{"refresh_token": victim.RefreshToken}); resp.status != http.StatusOK {
		t.Fatalf("victim's session after forged logouts: %d", resp.status)
	}
}

// TestTokenIssuedBeforeRestartIsAcceptedAfter: the signing key is
// persisted, so a users service rebuilt on the same database (a restart, or
// another replica) serves a JWKS that verifies old tokens, and accepts the
// old refresh token.
func TestTokenIssuedBeforeRestartIsAcceptedAfter(t *testing.T) {
	dbName := newDatabaseName()
	before := newService(t, dbName)
	m := before.register(t, merchant(uniqueEmail("restart")))

	after := newService(t, dbName)
	if after.ring.CurrentKeyID() != before.ring.CurrentKeyID() {
		t.Fatalf("restart made a new key %q (was %q)", after.ring.CurrentKeyID(), before.ring.CurrentKeyID())
	}
	caller, err := verifierFor(t, after.router).Verify(context.Background(), m.AccessToken)
	if err != nil || caller.UserID != m.User.ID || caller.MerchantID != m.User.MerchantID {
		t.Fatalf("another service after the restart: caller %+v, err %v", caller, err)
	}
	if resp := after.do(t, request{method: http.MethodGet, path: "/api/v1/users/me", token: m.AccessToken}); resp.status != http.StatusOK {
		t.Fatalf("/users/me after restart: %d %s", resp.status, resp.body)
	}
	if resp := after.post(t, "/api/v1/auth/refresh", map[string]string{"refresh_token": m.RefreshToken}); resp.status != http.StatusOK {
		t.Fatalf("refresh after restart: %d %s", resp.status, resp.body)
	}
}

func TestJWKS(t *testing.T) {
	s := newService(t, newDatabaseName())
	for _, path := range []string{api.JWKSPath, api.JWKSAliasPath} {
		resp := s.do(t, request{method: http.MethodGet, path: path})
		if resp.status != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.status)
		}
		var set struct {
			Keys []map[string]string `json:"keys"`
		}
		if err := json.Unmarshal(resp.body, &set); err != nil {
			t.Fatal(err)
		}
		if len(set.Keys) != 1 {
			t.Fatalf("%s: %d keys", path, len(set.Keys))
		}
		k := set.Keys[0]
		if k["kid"] != s.ring.CurrentKeyID() || k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["alg"] != "EdDSA" || k["d"] != "" {
			t.Fatalf("%s: key %v", path, k)
		}
	}
}
