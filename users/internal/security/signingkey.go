package security

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"
)

// SigningKey is one Ed25519 key of the key ring.
type SigningKey struct {
	// ID is the kid: the RFC 7638 thumbprint of the public key.
	ID string
	// Generation is 1 for the first key and one more for each rotation.
	Generation int64
	// Private signs tokens.
	Private ed25519.PrivateKey
	// CreatedAt is when the key was made (UTC).
	CreatedAt time.Time
}

// KeyRecord is the persisted form of a SigningKey. The store keeps one
// document per record with a unique index on Generation, which is how
// replicas that create or rotate a key at the same moment converge on one.
//
// PrivateKey is the 32-byte RFC 8032 seed in standard base64, in clear. In
// production it would be encrypted by a KMS key before it reaches the store
// (envelope encryption); that is out of scope here.
type KeyRecord struct {
	ID         string
	Generation int64
	PrivateKey string
	CreatedAt  time.Time
}

// KeyStore persists the signing keys.
type KeyStore interface {
	// Load returns every stored key record, in any order.
	Load(ctx context.Context) ([]KeyRecord, error)
	// Add stores a new record. If a record of the same Generation (or ID)
	// exists it stores nothing and returns an error matching
	// apperr.ErrConflict.
	Add(ctx context.Context, rec KeyRecord) error
}

// NewSigningKey makes a fresh Ed25519 key of the given generation.
func NewSigningKey(generation int64, now time.Time) SigningKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("ed25519 key generation: %v", err)) // crypto/rand does not fail
	}
	return SigningKey{ID: thumbprint(priv.Public().(ed25519.PublicKey)), Generation: generation, Private: priv, CreatedAt: now.UTC()}
}

// Public returns the key's public half.
func (k SigningKey) Public() ed25519.PublicKey { return k.Private.Public().(ed25519.PublicKey) }

// Record encodes k for the store.
func (k SigningKey) Record() KeyRecord {
	return KeyRecord{
		ID:         k.ID,
		Generation: k.Generation,
		PrivateKey: base64.StdEncoding.EncodeToString(k.Private.Seed()),
		CreatedAt:  k.CreatedAt,
	}
}

// SigningKeyFromRecord decodes a stored record and checks that its ID is
// the thumbprint of its key.
func SigningKeyFromRecord(rec KeyRecord) (SigningKey, error) {
	seed, err := base64.StdEncoding.DecodeString(rec.PrivateKey)
	if err != nil {
		return SigningKey{}, fmt.Errorf("signing key %q: private key is not base64: %w", rec.ID, err)
	}
	if len(seed) != ed25519.SeedSize {
		return SigningKey{}, fmt.Errorf("signing key %q: private key has %d bytes, want %d", rec.ID, len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if kid := thumbprint(priv.Public().(ed25519.PublicKey)); kid != rec.ID {
		return SigningKey{}, fmt.Errorf("signing key %q: id does not match its key (thumbprint %q)", rec.ID, kid)
	}
	if rec.Generation < 1 {
		return SigningKey{}, fmt.Errorf("signing key %q: generation %d < 1", rec.ID, rec.Generation)
	}
	return SigningKey{ID: rec.ID, Generation: rec.Generation, Private: priv, CreatedAt: rec.CreatedAt.UTC()}, nil
}

// thumbprint is the RFC 7638 JWK thumbprint of an Ed25519 public key
// (RFC 8037 §A.3): SHA-256 of the canonical {"crv","kty","x"} JSON.
func thumbprint(pub ed25519.PublicKey) string {
	canonical := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
