package analytics_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/analytics"
	"github.com/mercato-shop/mercato/platform/events"
)

// TestSummaryShape fixes the clock at 00:10 UTC: the last hour reaches
// into yesterday, whose sales count per minute but not as today's.
func TestSummaryShape(t *testing.T) {
	now := time.Date(2030, 5, 17, 0, 10, 30, 0, time.UTC)
	f := newFixture(t, openDB(t), analytics.Options{Now: func() time.Time { return now }})

	yesterday := newOrderID()
	f.handle(t, events.TypeOrderPaid, yesterday, paid(yesterday, now.Add(-20*time.Minute), lineOf("m-a", "old", 100, 1)))
	tooOld := newOrderID()
	f.handle(t, events.TypeOrderPaid, tooOld, paid(tooOld, now.Add(-2*time.Hour), lineOf("m-a", "old", 100, 1)))
	// Twelve orders today: product i costs i dollars, i units.
	var orders []string
	for i := 1; i <= 12; i++ {
		id := newOrderID()
		orders = append(orders, id)
		at := now.Add(-time.Duration(12-i) * 50 * time.Second)
		f.handle(t, events.TypeOrderPaid, id, paid(id, at, lineOf("m-a", fmt.Sprintf("p%02d", i), int64(i)*100, int64(i))))
	}

	s := f.summary(t, "m-a")
	if s.Day != "2030-05-17" || s.MerchantID != "m-a" {
		t.Errorf("day %q, merchant %q", s.Day, s.MerchantID)
	}
	if s.OrdersToday != 12 || s.UnitsToday != 78 {
		t.Errorf("orders %d, units %d; want 12 and 78", s.OrdersToday, s.UnitsToday)
	}
	var revenue int64
	for i := int64(1); i <= 12; i++ {
		revenue += i * i * 100
	}
	if len(s.RevenueToday) != 1 || s.RevenueToday[0] != usd(revenue) {
		t.Errorf("revenue %+v, want %d", s.RevenueToday, revenue)
	}
	if len(s.OrdersPerMinute) != 60 {
		t.Fatalf("%d minutes, want 60", len(s.OrdersPerMinute))
	}
	if first, last := s.OrdersPerMinute[0].Minute, s.OrdersPerMinute[59].Minute; !last.Equal(now.Truncate(time.Minute)) || !first.Equal(last.Add(-59*time.Minute)) {
		t.Errorf("window %s .. %s", first, last)
	}
	total := 0
	for _, m := range s.OrdersPerMinute {
		total += m.Orders
	}
	if total != 13 || s.OrdersLastHour != 13 {
		t.Errorf("per-minute total %d, last hour %d; want 13 (12 today + 1 from yesterday's last hour)", total, s.OrdersLastHour)
	}
	if len(s.TopProducts) != 5 || s.TopProducts[0].ProductID != "p12" || s.TopProducts[0].Quantity != 12 ||
		s.TopProducts[0].Revenue != usd(14400) || s.TopProducts[4].ProductID != "p08" {
		t.Errorf("top products %+v", s.TopProducts)
	}
	if len(s.LatestOrders) != 10 || s.LatestOrders[0].OrderID != orders[11] || s.LatestOrders[9].OrderID != orders[2] {
		t.Errorf("latest orders: %d, first %v", len(s.LatestOrders), s.LatestOrders[0])
	}
}
