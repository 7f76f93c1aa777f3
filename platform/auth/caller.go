// Package auth verifies Mercato access tokens in every service.
//
// A Verifier checks an EdDSA-signed JWT against the users service's JWKS
// (cached, fetched again when a token names an unknown kid), pins the
// algorithm, checks exp, iat, iss and aud, and turns the claims into a Caller.
// The gin middlewares read only the Authorization: Bearer header and put the
// Caller into the request context; identity headers from the network are
// never trusted.
package auth

import (
	"context"
	"slices"

	"github.com/mercato-shop/mercato/platform/auth/claims"
)

// Role names, re-exported from the claims contract for callers of RequireRole.
const (
	RoleShopper  = claims.RoleShopper
	RoleMerchant = claims.RoleMerchant
	RoleAdmin    = claims.RoleAdmin
)

// Caller is the authenticated user of a request, as stated by a verified
// access token.
type Caller struct {
	// UserID is the token's sub claim.
	UserID string
	// Roles are the user's roles at issue time.
	Roles []string
	// MerchantID is the merchant tenant of a merchant; empty otherwise.
	MerchantID string
	// TokenID is the token's jti claim.
	TokenID string
}

// HasRole reports whether the caller holds role r.
func (c Caller) HasRole(r string) bool { return slices.Contains(c.Roles, r) }

// IsMerchant reports whether the caller is a merchant with a tenant id.
func (c Caller) IsMerchant() bool { return c.HasRole(RoleMerchant) && c.MerchantID != "" }

// IsAdmin reports whether the caller is an administrator.
func (c Caller) IsAdmin() bool { return c.HasRole(RoleAdmin) }

type callerKey struct{}

// WithCaller returns a context that carries c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller stored by WithCaller (or by the middleware)
// and whether there is one.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
