package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestHotPathIsIndexedLookupsByID runs every store call of a checkout and
// its saga — cart, insert, reads, guarded transitions, the shopper's and
// the merchant's lists, the deadline sweep — and checks that each command filters by a lone _id, served from an
// index on the embedded store (docs/performance.md). The guarded update
// of the old code ({_id, status, version}) read the whole collection.
func TestHotPathIsIndexedLookupsByID(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 8})
	orders, carts, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The deadline sweeper runs from start-up; its first sweep places the
	// timers' cursor (looking up which slots exist, once).
	if _, err := orders.Due(ctx, base, 10); err != nil {
		t.Fatal(err)
	}
	cmds := embeddedtest.AssertHotPathIndexed(t, db, func() {
		item := domain.CartItem{ProductID: "p1", MerchantID: "m1", Name: "Mug", UnitPrice: domain.Money{Amount: 1200, Currency: "EUR"}, Quantity: 1, AddedAt: base}
		if err := carts.PutItem(ctx, "s1", item, base); err != nil {
			t.Fatal(err)
		}
		cart, err := carts.Get(ctx, "s1")
		if err != nil {
			t.Fatal(err)
		}
		o := sampleOrder("o1", "s1", base)
		if err := orders.Insert(ctx, o, []outbox.Entry{entry(t, "o1")}); err != nil {
			t.Fatal(err)
		}
		if _, err := carts.ClearIfUnchanged(ctx, "s1", cart.Version, base); err != nil {
			t.Fatal(err)
		}
		before, err := orders.Get(ctx, "o1")
		if err != nil {
			t.Fatal(err)
		}
		after := before
		after.Status = domain.StatusAwaitingPayment
		if err := orders.Update(ctx, before, after, []outbox.Entry{entry(t, "o1")}); err != nil {
			t.Fatal(err)
		}
		if err := orders.Update(ctx, before, after, nil); !store.IsStale(err) {
			t.Fatalf("a second update from the same version: %v, want stale", err)
		}
		if got, err := orders.ListByShopper(ctx, "s1", domain.Page{Limit: 20}); err != nil || len(got) != 1 {
			t.Fatalf("shopper's list: %d %v", len(got), err)
		}
		if got, err := orders.ListByMerchant(ctx, "m2", domain.Page{Limit: 20}); err != nil || len(got) != 1 {
			t.Fatalf("merchant's list: %d %v", len(got), err)
		}
		due, err := orders.Due(ctx, base.Add(11*time.Minute), 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("due: %d %v", len(due), err)
		}
	})
	t.Logf("%d store commands for a cart, a checkout, one transition and a sweep", len(cmds))
}
