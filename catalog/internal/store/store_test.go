package store_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

func newStore(t *testing.T) (*store.Store, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	st := store.New(embeddedtest.Database(t, config.Mongo{}), nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	return st, ctx
}

func newProduct(id, sku string, stock int64) domain.Product {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return domain.NewProduct(id, "m1", domain.Draft{SKU: sku, Name: "N", Category: "c", Price: domain.Money{Amount: 1, Currency: "USD"}, Stock: stock}, now)
}

func TestStockUpdatesAreConditionalAndOncePerOrder(t *testing.T) {
	st, ctx := newStore(t)
	if err := st.InsertProduct(ctx, newProduct("p1", "A", 5)); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, ok, err := st.Hold(ctx, "p1", "o1", 6, now, now); err != nil || ok {
		t.Fatalf("holding 6 of 5: ok=%v %v", ok, err)
	}
	p, ok, err := st.Hold(ctx, "p1", "o1", 2, now, now)
	if err != nil || !ok || p.Stock != (domain.Stock{Available: 3, Held: 2}) || p.Version != 2 {
		t.Fatalf("hold: %+v v%d ok=%v %v", p.Stock, p.Version, ok, err)
	}
	if _, ok, _ := st.Hold(ctx, "p1", "o1", 1, now, now); ok {
		t.Fatal("the same order held twice")
	}
	if _, qty, _ := st.Product(ctx, "p1", "o1"); qty != 2 {
		t.Fatalf("held for o1: %d", qty)
	}
	if _, ok, _ := st.Unhold(ctx, "p1", "o1", 1, now); ok {
		t.Fatal("released a quantity the order does not hold")
	}
	if p, ok, _ := st.CommitHold(ctx, "p1", "o1", 2, now); !ok || p.Stock != (domain.Stock{Available: 3, Sold: 2}) {
		t.Fatalf("commit: %+v %v", p.Stock, ok)
	}
	if _, ok, _ := st.CommitHold(ctx, "p1", "o1", 2, now); ok {
		t.Fatal("committed twice")
	}
	if p, ok, _ := st.ReturnSold(ctx, "p1", "o1", 2, now); !ok || p.Stock != (domain.Stock{Available: 5}) {
		t.Fatalf("return: %+v %v", p.Stock, ok)
	}
	if _, ok, _ := st.ReturnSold(ctx, "p1", "o1", 2, now); ok {
		t.Fatal("returned twice")
	}
	if err := st.ClearReturnMarker(ctx, "p1", "o1"); err != nil {
		t.Fatal(err)
	}
	archived := newProduct("p2", "B", 5)
	archived.Archived = true
	if err := st.InsertProduct(ctx, archived); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.Hold(ctx, "p2", "o2", 1, now, now); ok {
		t.Fatal("held an archived product")
	}
}

func TestSaveProductIsVersionedAndOwned(t *testing.T) {
	st, ctx := newStore(t)
	a, b := newProduct("p1", "A", 5), newProduct("p2", "B", 5)
	for _, p := range []domain.Product{a, b} {
		if err := st.InsertProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.InsertProduct(ctx, newProduct("p3", "A", 1)); !errors.Is(err, store.ErrDuplicateSKU) || !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("duplicate sku insert: %v", err)
	}
	next := a
	next.Name, next.Version = "Renamed", 2
	if err := st.SaveProduct(ctx, 1, next); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveProduct(ctx, 1, next); !errors.Is(err, store.ErrStale) {
		t.Fatalf("save at an old version: %v", err)
	}
	other := b
	other.SKU, other.Version = "A", 2
	if err := st.SaveProduct(ctx, 1, other); !errors.Is(err, store.ErrDuplicateSKU) {
		t.Fatalf("save to a taken sku: %v", err)
	}
	if _, err := st.OwnedProduct(ctx, "m2", "p1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("another merchant's read: %v", err)
	}
	got, err := st.OwnedProduct(ctx, "m1", "p1")
	if err != nil || got.Name != "Renamed" || got.Version != 2 {
		t.Fatalf("read back %+v %v", got, err)
	}
}

func TestReservationTransitions(t *testing.T) {
	st, ctx := newStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	r := domain.Reservation{OrderID: "o1", State: domain.StateReserved, Lines: []domain.Line{{ProductID: "p1", Quantity: 1}}, ExpiresAt: now, CreatedAt: now, UpdatedAt: now}
	if err := st.InsertReservation(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertReservation(ctx, r); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("second outcome: %v", err)
	}
	due, err := st.DueForRelease(ctx, now.Add(time.Second), 10)
	if err != nil || len(due) != 1 || due[0].OrderID != "o1" {
		t.Fatalf("due %+v %v", due, err)
	}
	if due, _ := st.DueForRelease(ctx, now.Add(-time.Second), 10); len(due) != 0 {
		t.Fatalf("not yet due: %+v", due)
	}
	moved, err := st.Transition(ctx, "o1", []domain.ReservationState{domain.StateReserved}, domain.StateCommitting, "", now)
	if err != nil || !moved {
		t.Fatalf("claim: %v %v", moved, err)
	}
	if moved, _ := st.Transition(ctx, "o1", []domain.ReservationState{domain.StateReserved}, domain.StateReleasing, "expired", now); moved {
		t.Fatal("claimed twice")
	}
	if got, _ := st.Reservation(ctx, "o1"); got.State != domain.StateCommitting || got.Lines[0] != r.Lines[0] {
		t.Fatalf("reservation %+v", got)
	}
}
