package claims

import (
	"crypto/ed25519"
	"encoding/base64"
)

// JWKSet is the JSON Web Key Set (RFC 7517) the users service serves and
// the verifiers fetch: the public keys that may verify an access token.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

// JWK is one public signing key of a JWKSet: an Ed25519 key as an OKP key
// (RFC 8037).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// Ed25519JWK is the JWK of the Ed25519 public key pub, named kid, for
// signatures with Algorithm.
func Ed25519JWK(kid string, pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: kid, Alg: Algorithm, Use: "sig"}
}
