package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mercato-shop/mercato/platform/auth/claims"
)

// mePath is the signed-in route measured with -auth: the gateway verifies
// the access token of every request to it.
const mePath = "/api/v1/users/me"

// benchToken makes a signing key, its JWKS (which the built-in upstream
// serves as the users service would) and an access token valid for an hour.
func benchToken() (claims.JWKSet, string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return claims.JWKSet{}, "", fmt.Errorf("bench key: %w", err)
	}
	const kid = "bench-1"
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims.Access{
		Roles: []string{claims.RoleShopper},
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: "u-bench", Issuer: claims.DefaultIssuer, Audience: jwt.ClaimStrings{claims.DefaultAudience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), ID: "bench-token",
		},
	})
	tok.Header["kid"] = kid
	signed, err := tok.SignedString(priv)
	if err != nil {
		return claims.JWKSet{}, "", fmt.Errorf("bench token: %w", err)
	}
	return claims.JWKSet{Keys: []claims.JWK{claims.Ed25519JWK(kid, pub)}}, signed, nil
}
