package usecase_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
)

func TestCommitThenRefundReturnsUnitsOnce(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p := e.create(t, "A", 10)
	lines := []domain.Line{{ProductID: p.ID, Quantity: 3}}
	if err := e.svc.Reserve(ctx, "o1", lines); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.svc.Commit(ctx, "o1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.product(t, p.ID).Stock; got != (domain.Stock{Available: 7, Sold: 3}) {
		t.Fatalf("after commit %+v", got)
	}
	var committed events.StockCommitted
	if typ := e.outboxEvent(t, "o1", &committed); typ != events.TypeStockCommitted || committed.Lines[0].Quantity != 3 {
		t.Fatalf("event %s %+v", typ, committed)
	}
	for range 2 {
		if err := e.svc.Cancel(ctx, "o1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.product(t, p.ID).Stock; got != (domain.Stock{Available: 10}) {
		t.Fatalf("after refund %+v", got)
	}
	if r := e.reservation(t, "o1"); r.State != domain.StateReturned {
		t.Fatalf("state %s", r.State)
	}
	// A late redelivery of order.placed does not hold again.
	if err := e.svc.Reserve(ctx, "o1", lines); err != nil {
		t.Fatal(err)
	}
	if got := e.product(t, p.ID).Stock; got != (domain.Stock{Available: 10}) {
		t.Fatalf("after late order.placed %+v", got)
	}
}

func TestCancelReleasesHeldUnits(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p := e.create(t, "A", 10)
	if err := e.svc.Reserve(ctx, "o1", []domain.Line{{ProductID: p.ID, Quantity: 4}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.svc.Cancel(ctx, "o1"); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.product(t, p.ID).Stock; got != (domain.Stock{Available: 10}) {
		t.Fatalf("after cancel %+v", got)
	}
	var released events.StockReleased
	if typ := e.outboxEvent(t, "o1", &released); typ != events.TypeStockReleased || released.Reason != events.ReleaseCancelled {
		t.Fatalf("event %s %+v", typ, released)
	}
	if got := e.outboxTypes(t, store.ReservationsCollection, "o1"); !slices.Equal(got, []string{events.TypeStockReserved, events.TypeStockReleased}) {
		t.Fatalf("events %v", got)
	}
	// order.paid after the release commits nothing.
	if err := e.svc.Commit(ctx, "o1"); err != nil {
		t.Fatal(err)
	}
	if got := e.product(t, p.ID).Stock; got != (domain.Stock{Available: 10}) {
		t.Fatalf("after late paid %+v", got)
	}
}

func TestCancelBeforePlacedHoldsNothingLater(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p := e.create(t, "A", 10)
	if err := e.svc.Cancel(ctx, "o1"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reserve(ctx, "o1", []domain.Line{{ProductID: p.ID, Quantity: 4}}); err != nil {
		t.Fatal(err)
	}
	if got := e.product(t, p.ID).Stock; got != (domain.Stock{Available: 10}) {
		t.Fatalf("stock %+v", got)
	}
}

func TestExpiredHoldsAreReleased(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p := e.create(t, "A", 10)
	if err := e.svc.Reserve(ctx, "early", []domain.Line{{ProductID: p.ID, Quantity: 2}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Minute)
	if err := e.svc.Reserve(ctx, "late", []domain.Line{{ProductID: p.ID, Quantity: 3}}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.ExpireDue(ctx, 100); err != nil || n != 0 {
		t.Fatalf("nothing due yet: %d %v", n, err)
	}
	e.clock.Advance(6 * time.Minute)
	if n, err := e.svc.ExpireDue(ctx, 100); err != nil || n != 1 {
		t.Fatalf("expired %d %v, want 1", n, err)
	}
	if got := e.product(t, p.ID).Stock; got != (domain.Stock{Available: 7, Held: 3}) {
		t.Fatalf("stock %+v", got)
	}
	var released events.StockReleased
	if typ := e.outboxEvent(t, "early", &released); typ != events.TypeStockReleased || released.Reason != events.ReleaseExpired {
		t.Fatalf("event %s %+v", typ, released)
	}
	// Paid after expiry: nothing to commit, the late order still holds.
	if err := e.svc.Commit(ctx, "early"); err != nil {
		t.Fatal(err)
	}
	if got := e.product(t, p.ID).Stock; got != (domain.Stock{Available: 7, Held: 3}) {
		t.Fatalf("stock after late payment %+v", got)
	}
}

func TestRestockNeverTakesHeldUnits(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p := e.create(t, "A", 5)
	if err := e.svc.Reserve(ctx, "o1", []domain.Line{{ProductID: p.ID, Quantity: 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Restock(ctx, "m1", p.ID, -3); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("taking 3 of 2 available: %v", err)
	}
	got, err := e.svc.Restock(ctx, "m1", p.ID, -2)
	if err != nil || got.Stock != (domain.Stock{Available: 0, Held: 3}) {
		t.Fatalf("restock -2: %+v %v", got.Stock, err)
	}
	if got, err = e.svc.Restock(ctx, "m1", p.ID, 10); err != nil || got.Stock.Available != 10 || got.Restocked != 8 {
		t.Fatalf("restock +10: %+v %v", got, err)
	}
	if _, err := e.svc.Restock(ctx, "m2", p.ID, 10); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("another merchant's restock: %v", err)
	}
	if after := e.product(t, p.ID); after.Stock != (domain.Stock{Available: 10, Held: 3}) {
		t.Fatalf("stock %+v", after.Stock)
	}
	types := e.outboxTypes(t, store.ProductsCollection, p.ID)
	if !slices.Equal(types, []string{events.TypeProductCreated, events.TypeProductUpdated, events.TypeProductUpdated}) {
		t.Fatalf("product events %v", types)
	}
}
