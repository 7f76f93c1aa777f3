package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/outbox"
)

var base = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func sampleOrder(id, shopper string, created time.Time) domain.Order {
	return domain.Order{
		ID: id, ShopperID: shopper, Status: domain.StatusPending, PaymentStatus: domain.PaymentNotStarted,
		Lines: []domain.Line{
			{ProductID: "p1", MerchantID: "m1", Name: "Mug", UnitPrice: domain.Money{Amount: 1200, Currency: "EUR"}, Quantity: 2},
			{ProductID: "p2", MerchantID: "m2", Name: "Tea", UnitPrice: domain.Money{Amount: 500, Currency: "EUR"}, Quantity: 1},
		},
		Total:           domain.Money{Amount: 2900, Currency: "EUR"},
		ShippingAddress: domain.Address{Name: "Ada", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
		PaymentMethod:   "pm_card_visa", RequestHash: "h1",
		Deadline: created.Add(10 * time.Minute), CreatedAt: created, UpdatedAt: created,
	}
}

func entry(t *testing.T, id string) outbox.Entry {
	t.Helper()
	return outbox.NewEntry("orders.events", id, []byte(`{}`), nil)
}

func TestInsertGetRoundTripAndDuplicate(t *testing.T) {
	orders, _, notes := open(t)
	ctx := context.Background()
	o := sampleOrder("o1", "s1", base)
	o.Lines[0].ShippedAt = base.Add(time.Hour)
	if err := orders.Insert(ctx, o, []outbox.Entry{entry(t, "o1")}); err != nil {
		t.Fatal(err)
	}
	if id := <-notes.ids; id != "o1" {
		t.Fatalf("relay notified about %v", id)
	}
	got, err := orders.Get(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, o) {
		t.Fatalf("round trip changed the order:\n got %+v\nwant %+v", got, o)
	}
	if err := orders.Insert(ctx, o, nil); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("second insert: %v, want conflict", err)
	}
	if _, err := orders.Get(ctx, "missing"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing order: %v", err)
	}
}

func TestUpdateIsConditionalOnStatusAndVersion(t *testing.T) {
	orders, _, notes := open(t)
	ctx := context.Background()
	o := sampleOrder("o1", "s1", base)
	if err := orders.Insert(ctx, o, nil); err != nil {
		t.Fatal(err)
	}
	out := o.StockRejected(base.Add(time.Second))
	if err := orders.Update(ctx, o, out.Order, []outbox.Entry{entry(t, "o1")}); err != nil {
		t.Fatal(err)
	}
	<-notes.ids
	got, err := orders.Get(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusCancelled || got.CancelReason != domain.ReasonOutOfStock || got.Version != 1 || !got.Deadline.IsZero() {
		t.Fatalf("after update: %+v", got)
	}
	// The same transition from the old state is stale: nothing written.
	if err := orders.Update(ctx, o, out.Order, []outbox.Entry{entry(t, "o1")}); !store.IsStale(err) {
		t.Fatalf("stale update: %v", err)
	}
	if again, _ := orders.Get(ctx, "o1"); again.Version != 1 {
		t.Fatalf("stale update wrote: version %d", again.Version)
	}
	if due, err := orders.Due(ctx, base.Add(time.Hour), 10); err != nil || len(due) != 0 {
		t.Fatalf("cancelled order still due: %v %v", due, err)
	}
}

func TestConcurrentUpdatesOfOneVersionOnlyOneWins(t *testing.T) {
	orders, _, _ := open(t)
	ctx := context.Background()
	o := sampleOrder("o1", "s1", base)
	if err := orders.Insert(ctx, o, nil); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	results := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			var next domain.Order
			if i%2 == 0 {
				next = o.StockReserved(base, base.Add(time.Minute)).Order
			} else {
				next = o.StockRejected(base).Order
			}
			results <- orders.Update(ctx, o, next, []outbox.Entry{entry(t, "o1")})
		})
	}
	wg.Wait()
	close(results)
	wins := 0
	for err := range results {
		switch {
		case err == nil:
			wins++
		case !store.IsStale(err):
			t.Fatal(err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent updates of one version succeeded, want 1", wins)
	}
	if got, _ := orders.Get(ctx, "o1"); got.Version != 1 {
		t.Fatalf("version %d, want 1", got.Version)
	}
}

// Lists are in the order the orders were placed (each order's created_at
// is its placement time), newest first.
func TestListsAreNewestFirstWithCursorsAndDueFindsOverdue(t *testing.T) {
	orders, _, _ := open(t)
	ctx := context.Background()
	if err := orders.Insert(ctx, sampleOrder("other", "s2", base), nil); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		o := sampleOrder(fmt.Sprintf("o%d", i), "s1", base.Add(time.Duration(i)*time.Minute))
		if i == 4 {
			o.Lines = o.Lines[1:] // only merchant m2
		}
		if err := orders.Insert(ctx, o, nil); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	page := domain.Page{Limit: 2}
	for {
		got, err := orders.ListByShopper(ctx, "s1", page)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range got {
			ids = append(ids, o.ID)
		}
		if len(got) < page.Limit {
			break
		}
		last := got[len(got)-1]
		page.After = &domain.Position{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	if want := []string{"o4", "o3", "o2", "o1", "o0"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("pages gave %v, want %v", ids, want)
	}
	m1, err := orders.ListByMerchant(ctx, "m1", domain.Page{Limit: 10})
	if err != nil || len(m1) != 5 || m1[0].ID != "o3" {
		t.Fatalf("merchant m1 sees %d orders (%v)", len(m1), err)
	}
	due, err := orders.Due(ctx, base.Add(11*time.Minute+30*time.Second), 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("due: %d orders (%v), want o0, o1 and other", len(due), err)
	}
}
