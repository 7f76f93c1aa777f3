// Package security holds the users service's cryptography and abuse
// controls: argon2id password hashing, the Ed25519 key ring that signs
// access tokens and serves them as a JWKS, and the login throttle. It is
// store-free and HTTP-free: persistence comes in through small interfaces.
package security

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"runtime"

	"github.com/alexedwards/argon2id"
)

// DefaultPasswordParams are OWASP's minimum argon2id settings (19 MiB,
// 2 iterations, 1 lane), a fair cost on a 2-core machine: one hash takes
// tens of milliseconds. The salt (16 bytes) is random per hash.
var DefaultPasswordParams = argon2id.Params{
	Memory:      19 * 1024,
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// PasswordHasher hashes and checks passwords with argon2id. Every hash
// takes Memory of RAM, so it runs at most maxConcurrent at a time: a flood
// of logins queues instead of exhausting memory. Safe for concurrent use.
type PasswordHasher struct {
	params    argon2id.Params
	slots     chan struct{}
	dummyHash string
}

// NewPasswordHasher builds a hasher; maxConcurrent <= 0 means
// 2 × GOMAXPROCS. It hashes a random password once for the dummy hash that
// unknown accounts are checked against.
func NewPasswordHasher(params argon2id.Params, maxConcurrent int) (*PasswordHasher, error) {
	if maxConcurrent <= 0 {
		maxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	h := &PasswordHasher{params: params, slots: make(chan struct{}, maxConcurrent)}
	random := make([]byte, 32)
	_, _ = rand.Read(random) // crypto/rand.Read never fails
	dummy, err := argon2id.CreateHash(base64.RawStdEncoding.EncodeToString(random), &h.params)
	if err != nil {
		return nil, fmt.Errorf("argon2id dummy hash: %w", err)
	}
	h.dummyHash = dummy
	return h, nil
}

// Hash returns the argon2id PHC string of password with a fresh salt.
func (h *PasswordHasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	hash, err := argon2id.CreateHash(password, &h.params)
	if err != nil {
		return "", fmt.Errorf("argon2id hash: %w", err)
	}
	return hash, nil
}

// Verify reports whether password matches encodedHash. For an unknown
// account pass encodedHash "": the password is then checked against a dummy
// hash of the same cost and Verify answers false, so an unknown email and a
// wrong password take the same time.
func (h *PasswordHasher) Verify(ctx context.Context, password, encodedHash string) (bool, error) {
	known := encodedHash != ""
	if !known {
		encodedHash = h.dummyHash
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	match, err := argon2id.ComparePasswordAndHash(password, encodedHash)
	if err != nil {
		return false, fmt.Errorf("argon2id verify: %w", err)
	}
	return match && known, nil
}

func (h *PasswordHasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting to hash a password: %w", ctx.Err())
	}
}

func (h *PasswordHasher) release() { <-h.slots }
