package usecase_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/orders/internal/catalogclient"
	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/orders/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// catalog answers like orders' catalog client over a fixed product list
// (the client itself is pinned to the catalog's JSON by its contract test).
type catalog map[string]catalogclient.Product

func (c catalog) Product(_ context.Context, id string) (catalogclient.Product, error) {
	if p, ok := c[id]; ok {
		return p, nil
	}
	return catalogclient.Product{}, fmt.Errorf("%w: product %s", apperr.ErrNotFound, id)
}

func (c catalog) Products(_ context.Context, ids []string) (map[string]catalogclient.Product, error) {
	out := map[string]catalogclient.Product{}
	for _, id := range ids {
		if p, ok := c[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

// world is the use cases over the real stores of a fresh database.
type world struct {
	svc    *usecase.Service
	orders *store.Orders
	db     *mongodb.Store
}

func newOrders(t *testing.T) world {
	t.Helper()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	orders, carts, err := store.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	mug := catalogclient.Product{ID: "mug", MerchantID: "m1", Name: "Mug", Price: domain.Money{Amount: 1200, Currency: "EUR"}, Available: 50}
	return world{svc: usecase.New(orders, carts, catalog{"mug": mug}, usecase.Options{}), orders: orders, db: db}
}

var address = domain.Address{Name: "Ada", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}

// One idempotency key is one order: the same request again answers the
// same order, and another request under the key is refused as
// unprocessable (422, as the IETF Idempotency-Key draft has it).
func TestCheckoutIsOneOrderPerIdempotencyKey(t *testing.T) {
	svc := newOrders(t).svc
	ctx := context.Background()
	if err := svc.SetCartItem(ctx, "s1", "mug", 2); err != nil {
		t.Fatal(err)
	}
	req := domain.CheckoutRequest{PaymentMethod: "pm_card_visa", ShippingAddress: address}
	first, err := svc.Checkout(ctx, usecase.Shopper{ID: "s1"}, "key-1", req)
	if err != nil || first.Total.Amount != 2400 || first.Status != domain.StatusPending {
		t.Fatalf("checkout: %+v, %v", first, err)
	}
	again, err := svc.Checkout(ctx, usecase.Shopper{ID: "s1"}, "key-1", req)
	if err != nil || again.ID != first.ID {
		t.Fatalf("the same key again: %s, %v; want order %s", again.ID, err, first.ID)
	}
	other := req
	other.PaymentMethod = "pm_card_mastercard"
	if _, err := svc.Checkout(ctx, usecase.Shopper{ID: "s1"}, "key-1", other); !errors.Is(err, apperr.ErrUnprocessable) {
		t.Fatalf("another request under the key: %v, want unprocessable", err)
	}
	if list, err := svc.Orders(ctx, "s1", domain.Page{Limit: 10}); err != nil || len(list) != 1 {
		t.Fatalf("orders of the shopper: %d, %v; want 1", len(list), err)
	}
}

// Concurrent deliveries of one saga event move the order once: one writer
// wins each version, the others read again and find nothing to do, so the
// order's version grows by one and one payment request is queued.
func TestConcurrentDeliveriesOfOneEventMoveTheOrderOnce(t *testing.T) {
	w := newOrders(t)
	svc, orders := w.svc, w.orders
	ctx := context.Background()
	if err := svc.SetCartItem(ctx, "s2", "mug", 1); err != nil {
		t.Fatal(err)
	}
	o, err := svc.Checkout(ctx, usecase.Shopper{ID: "s2"}, "key-2", domain.CheckoutRequest{PaymentMethod: "pm_card_visa", ShippingAddress: address})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- svc.StockReserved(ctx, events.StockReserved{OrderID: o.ID}) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := orders.Get(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusAwaitingPayment || got.Version != o.Version+1 {
		t.Fatalf("after 8 deliveries: %s version %d, want awaiting_payment at version %d", got.Status, got.Version, o.Version+1)
	}
	requests := 0
	for _, e := range outboxOf(t, w.db, o.ID) {
		if e.Type == events.TypeOrderPaymentRequested {
			requests++
		}
	}
	if requests != 1 {
		t.Fatalf("%d payment requests queued, want 1", requests)
	}
}

// outboxOf is the pending events of an order as stored (no relay runs
// here), as the relay would publish them.
func outboxOf(t *testing.T, db *mongodb.Store, id string) []events.Envelope {
	t.Helper()
	var doc struct {
		Outbox []outbox.Entry `bson:"outbox"`
	}
	if err := db.Read.Collection(store.OrdersCollection).FindOne(context.Background(), bson.M{"_id": id}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	out := make([]events.Envelope, 0, len(doc.Outbox))
	for _, e := range doc.Outbox {
		env, err := events.Parse([]byte(e.Payload))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, env)
	}
	return out
}
