package consumer_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/analytics/internal/consumer"
	"github.com/mercato-shop/mercato/analytics/internal/store"
	"github.com/mercato-shop/mercato/analytics/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestSalesEventsReachEachMerchantsDashboardOnce(t *testing.T) {
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	svc := usecase.New(store.New(db.Read, db.Write), nil, nil)
	h := consumer.Handlers(svc)
	ctx := context.Background()
	deliver := func(source, typ, subject string, data any) []byte {
		t.Helper()
		b := encodeEvent(t, source, typ, subject, data)
		if err := h.Handle(ctx, b); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		return b
	}
	usd := func(a int64) events.Money { return events.Money{Amount: a, Currency: "USD"} }
	lines := []events.OrderLine{
		{ProductID: "pa", MerchantID: "m-a", Name: "Kite", UnitPrice: usd(1000), Quantity: 1},
		{ProductID: "pb", MerchantID: "m-b", Name: "Bell", UnitPrice: usd(500), Quantity: 2},
	}
	paid := deliver(events.SourceOrders, events.TypeOrderPaid, "o-1", events.OrderPaid{OrderID: "o-1", Lines: lines, Total: usd(2000), PaidAt: time.Now()})
	if err := h.Handle(ctx, paid); err != nil { // a redelivery
		t.Fatal(err)
	}
	deliver(events.SourceOrders, events.TypeOrderShipped, "o-1", events.OrderShipped{OrderID: "o-1", MerchantID: "m-b", ShippedAt: time.Now()})
	deliver(events.SourcePayments, events.TypePaymentRefunded, "o-1", events.PaymentRefunded{OrderID: "o-1", RefundID: "re_1", Amount: usd(2000), Full: true})

	a, err := svc.Dashboard(ctx, "m-a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.Dashboard(ctx, "m-b")
	if err != nil {
		t.Fatal(err)
	}
	if a.OrdersToday != 1 || a.RevenueToday[0].Amount != 1000 || a.Today.Refunded[0].Amount != 1000 || a.LatestOrders[0].Status != "paid" {
		t.Errorf("merchant a: %d orders, %+v revenue, %+v refunded, %+v", a.OrdersToday, a.RevenueToday, a.Today.Refunded, a.LatestOrders)
	}
	if b.OrdersToday != 1 || b.UnitsToday != 2 || b.Today.Refunded[0].Amount != 1000 || b.LatestOrders[0].Status != "shipped" || len(b.LatestOrders[0].Lines) != 1 {
		t.Errorf("merchant b: %+v", b.LatestOrders)
	}
	p, err := svc.Dashboard(ctx, "_platform")
	if err != nil || p.OrdersToday != 1 || p.RevenueToday[0].Amount != 2000 || p.Today.Refunded[0].Amount != 2000 {
		t.Errorf("platform: %d orders, %+v, %+v (%v)", p.OrdersToday, p.RevenueToday, p.Today.Refunded, err)
	}
}

// TestRefundBeforeItsPaidEventWaitsForIt delivers a refund half a second
// before its order's paid event (the payments topic ahead of the orders
// topic, seen in the chaos suite): the handler waits for the order instead
// of failing (which the consumer dead-lettered after ~1.5 s of retries),
// and the refund is counted.
func TestRefundBeforeItsPaidEventWaitsForIt(t *testing.T) {
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	svc := usecase.New(store.New(db.Read, db.Write), nil, nil)
	h := consumer.Handlers(svc)
	ctx := context.Background()
	usd := events.Money{Amount: 1500, Currency: "USD"}
	refund := encodeEvent(t, events.SourcePayments, events.TypePaymentRefunded, "o-late", events.PaymentRefunded{OrderID: "o-late", RefundID: "re_late", Amount: usd, Full: true})
	paid := encodeEvent(t, events.SourceOrders, events.TypeOrderPaid, "o-late", events.OrderPaid{OrderID: "o-late", Total: usd, PaidAt: time.Now(),
		Lines: []events.OrderLine{{ProductID: "pa", MerchantID: "m-late", Name: "Kite", UnitPrice: usd, Quantity: 1}}})

	paidErr := make(chan error, 1)
	timer := time.AfterFunc(500*time.Millisecond, func() { paidErr <- h.Handle(ctx, paid) })
	defer timer.Stop()
	if err := h.Handle(ctx, refund); err != nil {
		t.Fatalf("refund before its order's paid event: %v", err)
	}
	if err := <-paidErr; err != nil {
		t.Fatalf("paid: %v", err)
	}
	d, err := svc.Dashboard(ctx, "m-late")
	if err != nil {
		t.Fatal(err)
	}
	if d.OrdersToday != 1 || len(d.Today.Refunded) != 1 || d.Today.Refunded[0].Amount != 1500 {
		t.Fatalf("dashboard: %d orders, %+v refunded", d.OrdersToday, d.Today.Refunded)
	}
}

// encodeEvent is data as the event typ of subject from source, encoded.
func encodeEvent(t *testing.T, source, typ, subject string, data any) []byte {
	t.Helper()
	env, err := events.New(source, typ, subject, data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
