package usecase_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
)

// holdEntry reads orderID's entry in a product's holds as stored.
func (e *env) holdEntry(t *testing.T, productID, orderID string) (entry struct {
	Qty      int64 `bson:"qty"`
	Released bool  `bson:"released"`
}, found bool) {
	t.Helper()
	var doc struct {
		Holds map[string]bson.Raw `bson:"holds"`
	}
	if err := e.db.Read.Collection(store.ProductsCollection).FindOne(ctxT(t), bson.M{"_id": productID}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	raw, found := doc.Holds[orderID]
	if found {
		if err := bson.Unmarshal(raw, &entry); err != nil {
			t.Fatal(err)
		}
	}
	return entry, found
}

// assertRolledBack checks that orderID holds nothing on any of ids, every
// one carries its tombstone, and the outcome is rejected.
func (e *env) assertRolledBack(t *testing.T, orderID string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if h, found := e.holdEntry(t, id, orderID); !found || !h.Released || h.Qty != 0 {
			t.Fatalf("%s: entry of %s is %+v (found %v), want a tombstone", id, orderID, h, found)
		}
		if p := e.product(t, id); p.Stock.Held != 0 {
			t.Fatalf("%s still holds %+v", id, p.Stock)
		}
	}
	if r := e.reservation(t, orderID); r.State != domain.StateRejected {
		t.Fatalf("outcome %s, want rejected", r.State)
	}
}

// TestOverlappingRunAfterRollbackCannotHold drives two runs of one
// order.placed step by step: X holds p1, fails p2, records rejected and
// rolls back; Y, which started before X recorded, then tries p1 (the
// tombstone fails it) and, after a restock, p2 (tombstoned too). Nothing
// stays held for the rejected order.
func TestOverlappingRunAfterRollbackCannotHold(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p1, p2 := e.create(t, "R1", 5), e.create(t, "R2", 1)
	lines := []domain.Line{{ProductID: p1.ID, Quantity: 2}, {ProductID: p2.ID, Quantity: 3}}

	if err := e.svc.Reserve(ctx, "order-x", lines); err != nil { // run X, whole
		t.Fatal(err)
	}
	e.assertRolledBack(t, "order-x", p1.ID, p2.ID)

	now := e.clock.Now()
	if _, ok, err := e.store.Hold(ctx, p1.ID, "order-x", 2, now.Add(holdTTL), now); err != nil || ok {
		t.Fatalf("Y held p1 after X rolled it back: ok=%v %v", ok, err)
	}
	if _, qty, err := e.store.Product(ctx, p1.ID, "order-x"); err != nil || qty != 0 {
		t.Fatalf("Y would count a tombstone as %d held (%v)", qty, err)
	}
	if _, err := e.svc.Restock(ctx, "m1", p2.ID, 10); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.store.Hold(ctx, p2.ID, "order-x", 3, now.Add(holdTTL), now); err != nil || ok {
		t.Fatalf("Y held p2 after X rolled the order back: ok=%v %v", ok, err)
	}
	if err := e.svc.Reserve(ctx, "order-x", lines); err != nil { // Y finishing, or a redelivery
		t.Fatal(err)
	}
	e.assertRolledBack(t, "order-x", p1.ID, p2.ID)
	if got := e.product(t, p1.ID); got.Stock != (domain.Stock{Available: 5}) {
		t.Fatalf("p1 %+v", got.Stock)
	}
	if got := e.product(t, p2.ID); got.Stock != (domain.Stock{Available: 11}) {
		t.Fatalf("p2 %+v", got.Stock)
	}
}

// TestOverlappingRunHoldsAreRolledBackByTheRecordedOutcome: Y counts X's
// live hold on p1 and, after a restock, holds p2, then stops (a crash)
// before recording; X, which had failed p2, records rejected and rolls
// the order back, Y's hold on p2 included.
func TestOverlappingRunHoldsAreRolledBackByTheRecordedOutcome(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p1, p2 := e.create(t, "S1", 5), e.create(t, "S2", 1)
	lines := []domain.Line{{ProductID: p1.ID, Quantity: 2}, {ProductID: p2.ID, Quantity: 3}}
	now := e.clock.Now()
	expires := now.Add(holdTTL)

	if _, ok, err := e.store.Hold(ctx, p1.ID, "order-y", 2, expires, now); err != nil || !ok { // X
		t.Fatalf("X holds p1: ok=%v %v", ok, err)
	}
	if _, ok, err := e.store.Hold(ctx, p2.ID, "order-y", 3, expires, now); err != nil || ok { // X
		t.Fatalf("X holds p2 of 1: ok=%v %v", ok, err)
	}
	if _, qty, err := e.store.Product(ctx, p1.ID, "order-y"); err != nil || qty != 2 { // Y counts X's hold
		t.Fatalf("Y sees %d held on p1 (%v)", qty, err)
	}
	if _, err := e.svc.Restock(ctx, "m1", p2.ID, 10); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := e.store.Hold(ctx, p2.ID, "order-y", 3, expires, now); err != nil || !ok { // Y, then crashes
		t.Fatalf("Y holds p2: ok=%v %v", ok, err)
	}
	// X records its outcome; the settling that follows is the same a
	// redelivery does.
	r := domain.Reservation{OrderID: "order-y", State: domain.StateRejected, Lines: lines, ExpiresAt: expires, CreatedAt: now, UpdatedAt: now,
		Rejected: []domain.RejectedLine{{ProductID: p2.ID, Requested: 3, Available: 1}}}
	if err := e.store.InsertReservation(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reserve(ctx, "order-y", lines); err != nil {
		t.Fatal(err)
	}
	for _, p := range []domain.Product{p1, p2} { // the direct store holds bypassed the read model
		if cur, _, err := e.store.Product(ctx, p.ID, ""); err == nil {
			e.model.Apply(cur)
		}
	}
	e.assertRolledBack(t, "order-y", p1.ID, p2.ID)
	if got := e.product(t, p2.ID); got.Stock != (domain.Stock{Available: 11}) {
		t.Fatalf("p2 %+v", got.Stock)
	}
}

// TestReleasedAndSoldHoldsLeaveTombstones: once an order's hold ended by
// commit or release, the order cannot hold the product again, and
// releasing it again is a no-op.
func TestReleasedAndSoldHoldsLeaveTombstones(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p := e.create(t, "T1", 5)
	lines := []domain.Line{{ProductID: p.ID, Quantity: 2}}
	for _, orderID := range []string{"order-sold", "order-cancelled"} {
		if err := e.svc.Reserve(ctx, orderID, lines); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.Commit(ctx, "order-sold"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Cancel(ctx, "order-cancelled"); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	for _, orderID := range []string{"order-sold", "order-cancelled"} {
		if h, found := e.holdEntry(t, p.ID, orderID); !found || !h.Released {
			t.Fatalf("%s: %+v found=%v, want a tombstone", orderID, h, found)
		}
		if _, ok, err := e.store.Hold(ctx, p.ID, orderID, 2, now.Add(holdTTL), now); err != nil || ok {
			t.Fatalf("%s held again: ok=%v %v", orderID, ok, err)
		}
		if _, ok, err := e.store.Unhold(ctx, p.ID, orderID, 2, now); err != nil || ok {
			t.Fatalf("%s released twice: ok=%v %v", orderID, ok, err)
		}
		if err := e.svc.Reserve(ctx, orderID, lines); err != nil { // late redelivery
			t.Fatal(err)
		}
	}
	if got := e.product(t, p.ID); got.Stock != (domain.Stock{Available: 3, Sold: 2}) {
		t.Fatalf("stock %+v", got.Stock)
	}
}
