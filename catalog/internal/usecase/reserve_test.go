package usecase_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/events"
)

// TestConcurrentReservationsNeverOversell: 200 orders of one unit race for
// 50 units; exactly 50 are held and available never goes below zero.
func TestConcurrentReservationsNeverOversell(t *testing.T) {
	e := newEnv(t)
	p := e.create(t, "HOT", 50)
	ctx := ctxT(t)

	stop := make(chan struct{})
	var watcher sync.WaitGroup
	var lowest atomic.Int64
	lowest.Store(50)
	watcher.Add(1)
	go func() { // watch the stored counter while the race runs
		defer watcher.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if cur, _, err := e.store.Product(ctx, p.ID, ""); err == nil && cur.Stock.Available < lowest.Load() {
				lowest.Store(cur.Stock.Available)
			}
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- e.svc.Reserve(ctx, fmt.Sprintf("order-%03d", i), []domain.Line{{ProductID: p.ID, Quantity: 1}})
		}()
	}
	wg.Wait()
	close(stop)
	watcher.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := e.product(t, p.ID)
	if got.Stock.Available != 0 || got.Stock.Held != 50 || lowest.Load() < 0 {
		t.Fatalf("stock %+v, lowest available seen %d", got.Stock, lowest.Load())
	}
	reserved, rejected := 0, 0
	for i := range 200 {
		switch r := e.reservation(t, fmt.Sprintf("order-%03d", i)); r.State {
		case domain.StateReserved:
			reserved++
		case domain.StateRejected:
			rejected++
			if r.Rejected[0].Available != 0 || r.Rejected[0].Requested != 1 {
				t.Fatalf("rejected line %+v", r.Rejected[0])
			}
		}
	}
	if reserved != 50 || rejected != 150 {
		t.Fatalf("reserved %d, rejected %d", reserved, rejected)
	}
}

// TestSameOrderPlacedThreeTimesHoldsOnce delivers one order.placed three
// times, also concurrently, and after a crash that left a hold unrecorded.
func TestSameOrderPlacedThreeTimesHoldsOnce(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	a, b := e.create(t, "A", 10), e.create(t, "B", 10)
	lines := []domain.Line{{ProductID: a.ID, Quantity: 2}, {ProductID: b.ID, Quantity: 3}}
	for range 3 {
		if err := e.svc.Reserve(ctx, "order-1", lines); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = e.svc.Reserve(ctx, "order-2", lines) }()
	}
	wg.Wait()
	if got := e.product(t, a.ID).Stock; got != (domain.Stock{Available: 6, Held: 4}) {
		t.Fatalf("A %+v", got)
	}
	if got := e.product(t, b.ID).Stock; got != (domain.Stock{Available: 4, Held: 6}) {
		t.Fatalf("B %+v", got)
	}
	if got := e.outboxTypes(t, store.ReservationsCollection, "order-1"); !slices.Equal(got, []string{events.TypeStockReserved}) {
		t.Fatalf("order-1 events %v", got)
	}

	// A crash after holding A but before recording: the rerun counts it.
	held, ok, err := e.store.Hold(ctx, a.ID, "order-3", 1, time.Now(), time.Now())
	if err != nil || !ok {
		t.Fatalf("hold: %v %v", ok, err)
	}
	e.model.Apply(held) // what the restarted process loads
	if err := e.svc.Reserve(ctx, "order-3", []domain.Line{{ProductID: a.ID, Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	if r := e.reservation(t, "order-3"); r.State != domain.StateReserved {
		t.Fatalf("order-3 %s", r.State)
	}
	if got := e.product(t, a.ID).Stock; got != (domain.Stock{Available: 5, Held: 5}) {
		t.Fatalf("A after rerun %+v", got)
	}
}

// TestPartialReservationIsRolledBack: one line short means nothing held,
// and stock.rejected tells which lines and how much was available.
func TestPartialReservationIsRolledBack(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	a, b, c := e.create(t, "A", 10), e.create(t, "B", 2), e.create(t, "C", 0)
	if err := e.svc.ArchiveProduct(ctx, "m1", a.ID); err != nil {
		t.Fatal(err)
	}
	d := e.create(t, "D", 10)
	lines := []domain.Line{{ProductID: d.ID, Quantity: 5}, {ProductID: b.ID, Quantity: 5}, {ProductID: c.ID, Quantity: 1}, {ProductID: "missing", Quantity: 1}, {ProductID: a.ID, Quantity: 1}}
	if err := e.svc.Reserve(ctx, "order-1", lines); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, b.ID, c.ID, d.ID} {
		if got := e.product(t, id).Stock; got.Held != 0 {
			t.Fatalf("%s still holds %+v", id, got)
		}
	}
	var rejected events.StockRejected
	if typ := e.outboxEvent(t, "order-1", &rejected); typ != events.TypeStockRejected {
		t.Fatalf("event %s", typ)
	}
	got := map[string]events.RejectedLine{}
	for _, l := range rejected.Lines {
		got[l.ProductID] = l
	}
	want := map[string]events.RejectedLine{
		a.ID:      {ProductID: a.ID, Requested: 1, Available: 0}, // archived
		b.ID:      {ProductID: b.ID, Requested: 5, Available: 2},
		c.ID:      {ProductID: c.ID, Requested: 1, Available: 0},
		"missing": {ProductID: "missing", Requested: 1, Available: 0},
	}
	if len(got) != len(want) {
		t.Fatalf("rejected lines %+v", rejected.Lines)
	}
	for id, w := range want {
		if got[id] != w {
			t.Fatalf("rejected %s = %+v, want %+v", id, got[id], w)
		}
	}
	if err := e.svc.Reserve(ctx, "bad.order", lines); err == nil {
		t.Fatal("an order id with a dot was accepted")
	}
}
