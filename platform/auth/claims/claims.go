// Package claims is the contract of a Mercato access token: the JWT claims
// the users service signs and every service verifies (platform/auth).
//
// It holds no logic and imports no HTTP framework, so the users domain can
// sign with the very same types the verifiers parse.
package claims

import "github.com/golang-jwt/jwt/v5"

// Algorithm is the only JWS algorithm Mercato signs and accepts (Ed25519).
const Algorithm = "EdDSA"

// Defaults for the iss and aud claims; services read theirs from
// configuration and normally keep these.
const (
	DefaultIssuer   = "mercato-users"
	DefaultAudience = "mercato"
)

// Role names carried in the roles claim.
const (
	RoleShopper  = "shopper"
	RoleMerchant = "merchant"
	RoleAdmin    = "admin"
)

// Access is the claim set of an access token. RegisteredClaims carries sub
// (user id), iss, aud, exp, iat and jti; the token's kid header names the
// signing key.
type Access struct {
	// Roles of the user at issue time.
	Roles []string `json:"roles"`
	// MerchantID is the merchant tenant of a merchant user; empty otherwise.
	MerchantID string `json:"merchant_id,omitempty"`
	jwt.RegisteredClaims
}
