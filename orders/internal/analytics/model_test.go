package analytics_test

import (
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/analytics"
	"github.com/mercato-shop/mercato/platform/events"
)

func TestASaleCountsOnceWhateverTheRedeliveries(t *testing.T) {
	f := newFixture(t, openDB(t), analytics.Options{})
	order := newOrderID()
	data := paid(order, time.Now(), lineOf("m-a", "p1", 1250, 2), lineOf("m-a", "p2", 500, 1))
	payload := f.handle(t, events.TypeOrderPaid, order, data)
	f.redeliver(t, payload)                        // the same message again
	f.handle(t, events.TypeOrderPaid, order, data) // a duplicate event with a new id
	other := paid(order+"-2", time.Now(), data.Lines...)
	f.handle(t, events.TypeOrderPaid, other.OrderID, other) // a different order counts
	s := f.summary(t, "m-a")
	if s.OrdersToday != 2 || s.UnitsToday != 6 {
		t.Fatalf("orders %d, units %d; want 2 orders, 6 units", s.OrdersToday, s.UnitsToday)
	}
	if len(s.RevenueToday) != 1 || s.RevenueToday[0] != usd(2*3000) {
		t.Fatalf("revenue %+v, want 60.00 USD", s.RevenueToday)
	}
}

func TestMerchantsSeeOnlyTheirOwnLines(t *testing.T) {
	f := newFixture(t, openDB(t), analytics.Options{})
	order := newOrderID()
	f.handle(t, events.TypeOrderPaid, order, paid(order, time.Now(), lineOf("m-a", "pa", 1000, 1), lineOf("m-b", "pb", 7000, 3)))

	a, b, c := f.summary(t, "m-a"), f.summary(t, "m-b"), f.summary(t, "m-c")
	if a.OrdersToday != 1 || a.RevenueToday[0] != usd(1000) || len(a.LatestOrders) != 1 || len(a.LatestOrders[0].Lines) != 1 ||
		a.LatestOrders[0].Lines[0].ProductID != "pa" || a.LatestOrders[0].Total != usd(1000) {
		t.Errorf("merchant A sees %+v", a)
	}
	if b.OrdersToday != 1 || b.RevenueToday[0] != usd(21000) || len(b.TopProducts) != 1 || b.TopProducts[0].ProductID != "pb" {
		t.Errorf("merchant B sees %+v", b)
	}
	if c.OrdersToday != 0 || len(c.RevenueToday) != 0 || len(c.LatestOrders) != 0 || len(c.TopProducts) != 0 {
		t.Errorf("merchant C, who sold nothing, sees %+v", c)
	}
}

func TestACancelledPaidOrderLeavesTheNumbersForGood(t *testing.T) {
	f := newFixture(t, openDB(t), analytics.Options{})
	order := newOrderID()
	lines := []events.OrderLine{lineOf("m-a", "p1", 900, 1)}
	paidPayload := f.handle(t, events.TypeOrderPaid, order, paid(order, time.Now(), lines...))
	cancelled := events.OrderCancelled{OrderID: order, Reason: events.CancelShopperCancelled, Lines: lines, WasPaid: true, CancelledAt: time.Now()}
	f.handle(t, events.TypeOrderCancelled, order, cancelled)
	f.handle(t, events.TypeOrderCancelled, order, cancelled)
	f.redeliver(t, paidPayload) // a late redelivery must not bring it back

	s := f.summary(t, "m-a")
	if s.OrdersToday != 0 || len(s.RevenueToday) != 0 || s.OrdersLastHour != 0 || len(s.TopProducts) != 0 {
		t.Fatalf("a cancelled sale still counts: %+v", s)
	}
	if len(s.LatestOrders) != 1 || s.LatestOrders[0].Status != "cancelled" {
		t.Fatalf("latest orders %+v, want the order shown as cancelled", s.LatestOrders)
	}
}

func TestUnpaidCancellationsAndUnknownShipmentsChangeNothing(t *testing.T) {
	f := newFixture(t, openDB(t), analytics.Options{})
	order := newOrderID()
	f.handle(t, events.TypeOrderCancelled, order, events.OrderCancelled{OrderID: order, Reason: events.CancelOutOfStock,
		Lines: []events.OrderLine{lineOf("m-a", "p1", 900, 1)}, CancelledAt: time.Now()})
	f.handle(t, events.TypeOrderShipped, order, events.OrderShipped{OrderID: order, MerchantID: "m-a", ShippedAt: time.Now()})
	if s := f.summary(t, "m-a"); len(s.LatestOrders) != 0 || s.OrdersToday != 0 {
		t.Fatalf("summary %+v, want nothing", s)
	}
}

func TestShippingMarksTheSaleAndKeepsItCounted(t *testing.T) {
	f := newFixture(t, openDB(t), analytics.Options{})
	order := newOrderID()
	f.handle(t, events.TypeOrderPaid, order, paid(order, time.Now(), lineOf("m-a", "p1", 900, 1), lineOf("m-b", "p2", 100, 1)))
	f.handle(t, events.TypeOrderShipped, order, events.OrderShipped{OrderID: order, MerchantID: "m-a", ShippedAt: time.Now()})
	a, b := f.summary(t, "m-a"), f.summary(t, "m-b")
	if a.OrdersToday != 1 || a.LatestOrders[0].Status != "shipped" {
		t.Errorf("merchant A: %+v", a)
	}
	if b.LatestOrders[0].Status != "paid" {
		t.Errorf("merchant B's lines were marked shipped by A's shipment: %+v", b.LatestOrders)
	}
}

func TestARestartedModelKeepsTodaysNumbers(t *testing.T) {
	db := openDB(t)
	first := newFixture(t, db, analytics.Options{})
	order := newOrderID()
	first.handle(t, events.TypeOrderPaid, order, paid(order, time.Now(), lineOf("m-a", "p1", 4200, 1)))
	before := first.summary(t, "m-a")

	restarted := newFixture(t, db, analytics.Options{})
	after := restarted.summary(t, "m-a")
	if after.OrdersToday != 1 || after.RevenueToday[0] != before.RevenueToday[0] {
		t.Fatalf("after a restart: %+v, before: %+v", after, before)
	}
}

// TestConcurrentSalesOfOneMerchantAllCount races the first sales of a day:
// the day's document is created by one of them and none may be lost.
func TestConcurrentSalesOfOneMerchantAllCount(t *testing.T) {
	f := newFixture(t, openDB(t), analytics.Options{})
	const n = 12
	now := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		order := newOrderID()
		wg.Go(func() {
			for range 2 { // each delivered twice, concurrently with the others
				f.handle(t, events.TypeOrderPaid, order, paid(order, now, lineOf("m-a", "p1", 100, int64(i+1))))
			}
		})
	}
	wg.Wait()
	if s := f.summary(t, "m-a"); s.OrdersToday != n || s.UnitsToday != n*(n+1)/2 {
		t.Fatalf("orders %d, units %d; want %d and %d", s.OrdersToday, s.UnitsToday, n, n*(n+1)/2)
	}
}
