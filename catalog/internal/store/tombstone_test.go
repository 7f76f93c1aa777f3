package store_test

import (
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestTombstonesForbidHoldsAndArePrunedAfterTheirGrace: ForbidHold marks a
// product the order never held, an ended hold's tombstone blocks holding
// again without counting, and a hold prunes tombstones past their grace
// once there are enough of them, never a live hold.
func TestTombstonesForbidHoldsAndArePrunedAfterTheirGrace(t *testing.T) {
	_, ctx := newStore(t)
	db := embeddedtest.Database(t, config.Mongo{})
	st := store.New(db, nil)
	if err := st.InsertProduct(ctx, newProduct("p1", "A", 100)); err != nil {
		t.Fatal(err)
	}
	holds := func() map[string]bson.M {
		var doc struct {
			Holds map[string]bson.M `bson:"holds"`
		}
		if err := db.Read.Collection(store.ProductsCollection).FindOne(ctx, bson.M{"_id": "p1"}).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		return doc.Holds
	}
	then := time.Now().UTC()
	if ok, err := st.ForbidHold(ctx, "p1", "never", then); err != nil || !ok {
		t.Fatalf("forbid: ok=%v %v", ok, err)
	}
	if ok, _ := st.ForbidHold(ctx, "p1", "never", then); ok {
		t.Fatal("forbade twice")
	}
	if ok, err := st.ForbidHold(ctx, "missing", "never", then); err != nil || ok {
		t.Fatalf("forbid on a missing product: ok=%v %v", ok, err)
	}
	if _, ok, _ := st.Hold(ctx, "p1", "never", 1, then, then); ok {
		t.Fatal("held despite the tombstone")
	}
	if _, ok, _ := st.Hold(ctx, "p1", "live", 1, then, then); !ok {
		t.Fatal("live hold refused")
	}
	if ok, _ := st.ForbidHold(ctx, "p1", "live", then); ok {
		t.Fatal("a live hold was turned into a tombstone without returning its units")
	}
	for i := range 16 {
		orderID := fmt.Sprintf("ended-%02d", i)
		if _, ok, _ := st.Hold(ctx, "p1", orderID, 1, then, then); !ok {
			t.Fatalf("hold %s", orderID)
		}
		if _, ok, _ := st.Unhold(ctx, "p1", orderID, 1, then); !ok {
			t.Fatalf("unhold %s", orderID)
		}
	}
	p, qty, err := st.Product(ctx, "p1", "ended-00")
	if err != nil || qty != 0 || p.Stock.Held != 1 || p.Stock.Available != 99 {
		t.Fatalf("tombstones count: held for ended-00 %d, stock %+v (%v)", qty, p.Stock, err)
	}
	if n := len(holds()); n != 18 {
		t.Fatalf("%d entries before the grace, want 18", n)
	}
	later := then.Add(store.TombstoneGrace + time.Minute)
	if _, ok, _ := st.Hold(ctx, "p1", "late", 1, later, later); !ok {
		t.Fatal("hold after the grace refused")
	}
	left := holds()
	if len(left) != 2 || left["live"] == nil || left["late"] == nil {
		t.Fatalf("after pruning: %v", left)
	}
}
