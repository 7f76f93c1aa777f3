package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestHotPathIsIndexedLookupsByID runs the store calls of a reservation's
// life — read, hold, record, commit, release, return, expiry sweep, a
// merchant's edit — and checks that each command filters by a lone _id,
// served from an index on the embedded store (docs/performance.md). The
// old conditional stock updates ({_id, available >= qty, ...}) read the
// whole collection.
func TestHotPathIsIndexedLookupsByID(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := embeddedtest.Database(t, config.Mongo{})
	st := store.New(db, nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, id := range []string{"p1", "p2"} {
		if err := st.InsertProduct(ctx, newProduct(id, id, 10)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DueForRelease(ctx, now, 10); err != nil { // the sweeper's first run
		t.Fatal(err)
	}
	embeddedtest.AssertHotPathIndexed(t, db, func() {
		if _, _, err := st.Product(ctx, "p1", "o1"); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := st.Hold(ctx, "p1", "o1", 2, now.Add(time.Minute), now); err != nil || !ok {
			t.Fatalf("hold: %v %v", ok, err)
		}
		r := domain.Reservation{OrderID: "o1", State: domain.StateReserved, Lines: []domain.Line{{ProductID: "p1", Quantity: 2}},
			ExpiresAt: now.Add(time.Minute), CreatedAt: now, UpdatedAt: now}
		if err := st.InsertReservation(ctx, r); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Reservation(ctx, "o1"); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.Transition(ctx, "o1", []domain.ReservationState{domain.StateReserved}, domain.StateCommitting, "", now); err != nil || !ok {
			t.Fatalf("transition: %v %v", ok, err)
		}
		if _, ok, err := st.CommitHold(ctx, "p1", "o1", 2, now); err != nil || !ok {
			t.Fatalf("commit: %v %v", ok, err)
		}
		if _, ok, err := st.ReturnSold(ctx, "p1", "o1", 2, now); err != nil || !ok {
			t.Fatalf("return: %v %v", ok, err)
		}
		if err := st.ClearReturnMarker(ctx, "p1", "o1"); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := st.Hold(ctx, "p2", "o2", 1, now.Add(time.Minute), now); err != nil || !ok {
			t.Fatalf("hold p2: %v %v", ok, err)
		}
		if _, ok, err := st.Unhold(ctx, "p2", "o2", 1, now); err != nil || !ok {
			t.Fatalf("unhold: %v %v", ok, err)
		}
		if _, err := st.ForbidHold(ctx, "p2", "o3", now); err != nil {
			t.Fatal(err)
		}
		if _, err := st.DueForRelease(ctx, now.Add(2*time.Minute), 10); err != nil {
			t.Fatal(err)
		}
		p, err := st.OwnedProduct(ctx, "m1", "p1")
		if err != nil {
			t.Fatal(err)
		}
		prev := p.Version
		p.Name, p.Version = "Renamed", p.Version+1
		if err := st.SaveProduct(ctx, prev, p); err != nil {
			t.Fatal(err)
		}
	})
}
