package security

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
)

func newHasher(t *testing.T, maxConcurrent int) *PasswordHasher {
	t.Helper()
	h, err := NewPasswordHasher(DefaultPasswordParams, maxConcurrent)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestPasswordHashAndVerify(t *testing.T) {
	h := newHasher(t, 0)
	ctx := context.Background()

	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(hash, "correct horse") {
		t.Fatalf("hash = %q", hash)
	}
	again, _ := h.Hash(ctx, "correct horse")
	if again == hash {
		t.Fatal("two hashes of one password are equal: salt is not per hash")
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct horsE": false, "": false} {
		got, err := h.Verify(ctx, pw, hash)
		if err != nil || got != want {
			t.Errorf("Verify(%q) = %v, %v; want %v", pw, got, err, want)
		}
	}
	if _, err := h.Verify(ctx, "x", "not-a-hash"); err == nil {
		t.Error("Verify against a malformed hash succeeded")
	}
}

func TestVerifyUnknownAccountDoesTheSameWork(t *testing.T) {
	h := newHasher(t, 0)
	// The dummy hash has the configured cost, so checking an unknown
	// account runs the same argon2id computation as a wrong password.
	params, _, _, err := argon2id.DecodeHash(h.dummyHash)
	if err != nil {
		t.Fatal(err)
	}
	if *params != DefaultPasswordParams {
		t.Fatalf("dummy params = %+v, want %+v", *params, DefaultPasswordParams)
	}
	ok, err := h.Verify(context.Background(), "anything at all", "")
	if err != nil || ok {
		t.Fatalf("Verify(unknown account) = %v, %v; want false", ok, err)
	}
}

func TestHasherBoundsConcurrentHashes(t *testing.T) {
	h := newHasher(t, 1)
	h.slots <- struct{}{} // the only slot is busy
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "correct horse"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash with no free slot and a cancelled context: err = %v", err)
	}
	if _, err := h.Verify(ctx, "correct horse", ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify with no free slot and a cancelled context: err = %v", err)
	}
	<-h.slots
	if _, err := h.Hash(context.Background(), "correct horse"); err != nil {
		t.Fatalf("Hash with a free slot: %v", err)
	}
}
