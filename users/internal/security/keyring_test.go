package security_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/auth/claims"
	"github.com/mercato-shop/mercato/users/internal/security"
)

// memoryKeyStore stands in for the MongoDB key store with the same
// contract: one record per generation (a unique index), ErrConflict on a
// duplicate. Its mutex plays the index's atomicity.
type memoryKeyStore struct {
	mu      sync.Mutex
	records []security.KeyRecord
	loads   atomic.Int64
}

func (s *memoryKeyStore) Load(context.Context) ([]security.KeyRecord, error) {
	s.loads.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.records), nil
}

func (s *memoryKeyStore) Add(_ context.Context, rec security.KeyRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.records {
		if r.Generation == rec.Generation || r.ID == rec.ID {
			return fmt.Errorf("duplicate key generation %d: %w", rec.Generation, apperr.ErrConflict)
		}
	}
	s.records = append(s.records, rec)
	return nil
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newRing(t *testing.T, store security.KeyStore, now func() time.Time) *security.KeyRing {
	t.Helper()
	r := security.NewKeyRing(store, security.KeyRingOptions{Now: now})
	if err := r.EnsureKey(context.Background()); err != nil {
		t.Fatalf("EnsureKey: %v", err)
	}
	return r
}

func jwksKids(t *testing.T, r *security.KeyRing) []string {
	t.Helper()
	raw, err := r.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		if k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["alg"] != "EdDSA" || k["use"] != "sig" || k["x"] == "" || k["d"] != "" {
			t.Fatalf("bad JWK %v", k)
		}
		kids = append(kids, k["kid"])
	}
	return kids
}

// serveJWKS serves a ring's JWKS as the users service will, and returns a
// platform verifier reading it.
func serveJWKS(t *testing.T, r *security.KeyRing) *auth.Verifier {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, err := r.JWKS(req.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(raw)
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := auth.NewVerifier(ctx, auth.VerifierOptions{
		JWKSURL: srv.URL, Issuer: claims.DefaultIssuer, Audience: claims.DefaultAudience,
		RefreshUnknownKIDInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSignedTokenVerifiesWithThePlatformVerifier(t *testing.T) {
	ring := newRing(t, &memoryKeyStore{}, nil)
	v := serveJWKS(t, ring)

	tok, err := ring.Sign(context.Background(), "user-7", []string{"merchant"}, "m-7")
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresIn != 15*time.Minute || time.Until(tok.ExpiresAt) > 15*time.Minute || time.Until(tok.ExpiresAt) < 14*time.Minute {
		t.Fatalf("token lifetime: %+v", tok)
	}
	caller, err := v.Verify(context.Background(), tok.Token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := auth.Caller{UserID: "user-7", Roles: []string{"merchant"}, MerchantID: "m-7", TokenID: tok.ID}
	if caller.UserID != want.UserID || !slices.Equal(caller.Roles, want.Roles) || caller.MerchantID != want.MerchantID || caller.TokenID != want.TokenID {
		t.Fatalf("caller = %+v, want %+v", caller, want)
	}
	other, _ := ring.Sign(context.Background(), "user-7", nil, "")
	if other.ID == tok.ID {
		t.Fatal("two tokens share a jti")
	}
}

func TestRestartAndSecondReplicaUseTheStoredKey(t *testing.T) {
	store := &memoryKeyStore{}
	first := newRing(t, store, nil)
	tok, err := first.Sign(context.Background(), "user-1", []string{"shopper"}, "")
	if err != nil {
		t.Fatal(err)
	}
	restarted := newRing(t, store, nil)
	if restarted.CurrentKeyID() != first.CurrentKeyID() || len(store.records) != 1 {
		t.Fatalf("restart made a new key: %q vs %q, %d stored", restarted.CurrentKeyID(), first.CurrentKeyID(), len(store.records))
	}
	if _, err := serveJWKS(t, restarted).Verify(context.Background(), tok.Token); err != nil {
		t.Fatalf("token of the first process refused after restart: %v", err)
	}
}

func TestReplicasStartingTogetherConvergeOnOneKey(t *testing.T) {
	store := &memoryKeyStore{}
	rings := make([]*security.KeyRing, 8)
	var wg sync.WaitGroup
	errs := make([]error, len(rings))
	for i := range rings {
		rings[i] = security.NewKeyRing(store, security.KeyRingOptions{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = rings[i].EnsureKey(context.Background())
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if len(store.records) != 1 {
		t.Fatalf("%d keys stored, want 1", len(store.records))
	}
	for i, r := range rings {
		if r.CurrentKeyID() != store.records[0].ID {
			t.Fatalf("ring %d signs with %q, stored key is %q", i, r.CurrentKeyID(), store.records[0].ID)
		}
	}
}

func TestRotationKeepsOldKeyUntilItsTokensExpire(t *testing.T) {
	clk := &clock{now: time.Now()}
	store := &memoryKeyStore{}
	ring := newRing(t, store, clk.Now)
	oldKid := ring.CurrentKeyID()
	oldTok, _ := ring.Sign(context.Background(), "user-1", nil, "")

	if err := ring.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	newKid := ring.CurrentKeyID()
	if newKid == oldKid {
		t.Fatal("Rotate did not change the signing key")
	}
	newTok, _ := ring.Sign(context.Background(), "user-1", nil, "")
	if got := jwksKids(t, ring); !slices.Equal(got, []string{oldKid, newKid}) {
		t.Fatalf("JWKS after rotation = %v, want old and new", got)
	}
	v := serveJWKS(t, ring) // clock is real-ish: tokens are fresh
	for name, tok := range map[string]string{"old": oldTok.Token, "new": newTok.Token} {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Errorf("%s token refused after rotation: %v", name, err)
		}
	}

	clk.Advance(security.DefaultAccessTokenTTL + security.DefaultRetiredKeyGrace - time.Second)
	if got := jwksKids(t, ring); len(got) != 2 {
		t.Fatalf("old key dropped too early: %v", got)
	}
	clk.Advance(time.Second)
	if got := jwksKids(t, ring); !slices.Equal(got, []string{newKid}) {
		t.Fatalf("JWKS once old tokens expired = %v, want only %q", got, newKid)
	}
}

func TestReplicaPicksUpAnotherReplicasRotation(t *testing.T) {
	clk := &clock{now: time.Now()}
	store := &memoryKeyStore{}
	a := newRing(t, store, clk.Now)
	b := newRing(t, store, clk.Now)
	if err := a.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	rotated := a.CurrentKeyID()

	// b's JWKS may lag by at most a second; its signing by ReloadInterval.
	clk.Advance(time.Second)
	if got := jwksKids(t, b); !slices.Contains(got, rotated) {
		t.Fatalf("replica b serves %v without the rotated key %q", got, rotated)
	}
	clk.Advance(security.DefaultReloadInterval)
	if _, err := b.Sign(context.Background(), "u", nil, ""); err != nil {
		t.Fatal(err)
	}
	if b.CurrentKeyID() != rotated {
		t.Fatalf("replica b signs with %q, want %q", b.CurrentKeyID(), rotated)
	}
}

func TestEnsureKeyRotatesAnOldKey(t *testing.T) {
	clk := &clock{now: time.Now()}
	store := &memoryKeyStore{}
	first := newRing(t, store, clk.Now)
	clk.Advance(31 * 24 * time.Hour)
	later := security.NewKeyRing(store, security.KeyRingOptions{Now: clk.Now, RotateAfter: 30 * 24 * time.Hour})
	if err := later.EnsureKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	if later.CurrentKeyID() == first.CurrentKeyID() || len(store.records) != 2 {
		t.Fatalf("old key not rotated: %d stored", len(store.records))
	}
}

func TestSignBeforeEnsureKey(t *testing.T) {
	r := security.NewKeyRing(&memoryKeyStore{}, security.KeyRingOptions{})
	if _, err := r.Sign(context.Background(), "u", nil, ""); !errors.Is(err, security.ErrNoSigningKey) {
		t.Fatalf("err = %v, want ErrNoSigningKey", err)
	}
}

func TestKeyRecordRoundTripAndTampering(t *testing.T) {
	k := security.NewSigningKey(3, time.Now())
	back, err := security.SigningKeyFromRecord(k.Record())
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != k.ID || back.Generation != 3 || !back.Private.Equal(k.Private) || !back.CreatedAt.Equal(k.CreatedAt) {
		t.Fatalf("round trip: %+v vs %+v", back, k)
	}
	other := security.NewSigningKey(1, time.Now()).Record()
	bad := map[string]func(*security.KeyRecord){
		"not base64":        func(r *security.KeyRecord) { r.PrivateKey = "%%%" },
		"short key":         func(r *security.KeyRecord) { r.PrivateKey = "AAAA" },
		"id of another key": func(r *security.KeyRecord) { r.ID = other.ID },
		"generation 0":      func(r *security.KeyRecord) { r.Generation = 0 },
	}
	for name, edit := range bad {
		rec := k.Record()
		edit(&rec)
		if _, err := security.SigningKeyFromRecord(rec); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}
