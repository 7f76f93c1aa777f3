package store_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/security"
	"github.com/mercato-shop/mercato/users/internal/store"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// newStore opens a Store on a fresh database; singleWriter as embedded mode.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	st, _ := newStoreAndDB(t)
	return st
}

// newStoreAndDB is newStore that also returns the database.
func newStoreAndDB(t *testing.T) (*store.Store, *mongodb.Store) {
	t.Helper()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	st := store.New(db, nil)
	if err := st.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, db
}

func TestSigningKeysRefuseASecondKeyOfOneGeneration(t *testing.T) {
	keys := newStore(t).SigningKeys()
	ctx := context.Background()
	first := security.NewSigningKey(1, time.Now())
	if err := keys.Add(ctx, first.Record()); err != nil {
		t.Fatal(err)
	}
	err := keys.Add(ctx, security.NewSigningKey(1, time.Now()).Record())
	if !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("second key of generation 1: %v, want ErrConflict", err)
	}
	recs, err := keys.Load(ctx)
	if err != nil || len(recs) != 1 || recs[0].ID != first.ID {
		t.Fatalf("load: %v %+v", err, recs)
	}
	if _, err := security.SigningKeyFromRecord(recs[0]); err != nil {
		t.Fatalf("stored record does not decode: %v", err)
	}
}

// TestReplicasStartingAtOnceConvergeOnOneKey: key rings of several
// replicas over one database all end up signing with the same key.
func TestReplicasStartingAtOnceConvergeOnOneKey(t *testing.T) {
	st := newStore(t)
	const replicas = 6
	rings := make([]*security.KeyRing, replicas)
	var wg sync.WaitGroup
	errs := make(chan error, replicas)
	for i := range rings {
		rings[i] = security.NewKeyRing(st.SigningKeys(), security.KeyRingOptions{})
		wg.Add(1)
		go func() { defer wg.Done(); errs <- rings[i].EnsureKey(context.Background()) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range rings {
		if r.CurrentKeyID() == "" || r.CurrentKeyID() != rings[0].CurrentKeyID() {
			t.Fatalf("replica %d signs with %q, replica 0 with %q", i, r.CurrentKeyID(), rings[0].CurrentKeyID())
		}
	}
}

func TestSaveSessionIsGuardedByGeneration(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	now := time.Now()
	sess, raw := domain.NewRefreshSession("user-1", now, time.Hour)
	if err := st.InsertSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	_, secret, _ := domain.ParseRefreshToken(raw)
	loaded, err := st.FindSession(ctx, sess.ID)
	if err != nil || loaded.SecretHash != sess.SecretHash || loaded.Generation != 0 || loaded.Revoked() {
		t.Fatalf("find: %v %+v", err, loaded)
	}

	// Two uses computed from the same loaded state: only one may be saved.
	a, err := loaded.Use(secret, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := loaded.Use(secret, now, time.Hour)
	if err := st.SaveSession(ctx, a.Next, loaded.Generation); err != nil {
		t.Fatalf("first save: %v", err)
	}
	if err := st.SaveSession(ctx, b.Next, loaded.Generation); !errors.Is(err, store.ErrSessionChanged) {
		t.Fatalf("second save from a stale generation: %v, want ErrSessionChanged", err)
	}
	got, _ := st.FindSession(ctx, sess.ID)
	if got.SecretHash != a.Next.SecretHash || got.Generation != 1 {
		t.Fatalf("stored %+v, want the first rotation", got)
	}

	revoked, _ := got.Logout("user-1", now)
	if err := st.SaveSession(ctx, revoked.Next, got.Generation); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.FindSession(ctx, sess.ID); !got.Revoked() || got.RevokeReason != domain.RevokedByLogout {
		t.Fatalf("revocation not stored: %+v", got)
	}
	if _, err := st.FindSession(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, store.ErrSessionNotFound) {
		t.Fatalf("unknown session: %v", err)
	}
}

func TestDeleteSessionsExpiredBefore(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	now := time.Now()
	old, _ := domain.NewRefreshSession("u", now.Add(-48*time.Hour), time.Hour)
	current, _ := domain.NewRefreshSession("u", now, time.Hour)
	for _, s := range []domain.RefreshSession{old, current} {
		if err := st.InsertSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.DeleteSessionsExpiredBefore(ctx, now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("deleted %d, err %v; want 1", n, err)
	}
	if _, err := st.FindSession(ctx, old.ID); !errors.Is(err, store.ErrSessionNotFound) {
		t.Fatalf("old session: %v", err)
	}
	if _, err := st.FindSession(ctx, current.ID); err != nil {
		t.Fatalf("current session: %v", err)
	}
}
