package usecase_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/analytics/internal/store"
	"github.com/mercato-shop/mercato/analytics/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

var now = time.Date(2026, 12, 2, 15, 30, 20, 0, time.UTC)

func newService(t *testing.T) (*usecase.Service, *store.Store) {
	t.Helper()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	st := store.New(db.Read, db.Write)
	return usecase.New(st, func() time.Time { return now }, nil), st
}

func views(offset int64, owner string, at time.Time, n int) usecase.BehaviourMessage {
	m := usecase.BehaviourMessage{Offset: offset, Owner: owner, ReceivedAt: now}
	for range n {
		m.Events = append(m.Events, domain.Behaviour{Kind: domain.KindProductViewed, Time: at, ProductID: "p1"})
	}
	return m
}

func TestBehaviourCountsOncePerOffsetAcrossRedeliveriesAndRestarts(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	late := now.Add(-2 * time.Hour)
	batch := []usecase.BehaviourMessage{
		views(0, "m-a", now, 2),
		views(1, "m-a", late, 1),
		{Offset: 2, Owner: "m-a", ReceivedAt: now, Events: []domain.Behaviour{
			{Kind: domain.KindAddedToCart, Time: now, ProductID: "p1", Quantity: 1},
			{Kind: domain.KindCheckoutStarted, Time: now},
			{Kind: domain.KindSearch, Time: now, Query: "Blue  Kite", Results: 0},
		}},
	}
	p := usecase.NewPartition("analytics.ingest", 0)
	if _, err := svc.ApplyBehaviour(ctx, p, batch); err != nil {
		t.Fatal(err)
	}
	// The same partition again (a redelivery), then a fresh owner after a
	// restart with a batch that overlaps and goes further.
	if _, err := svc.ApplyBehaviour(ctx, p, batch); err != nil {
		t.Fatal(err)
	}
	fresh := usecase.NewPartition("analytics.ingest", 0)
	if _, err := svc.ApplyBehaviour(ctx, fresh, append(batch[1:], views(3, "m-a", now, 4))); err != nil {
		t.Fatal(err)
	}
	// Another partition's offsets are its own.
	if _, err := svc.ApplyBehaviour(ctx, usecase.NewPartition("analytics.ingest", 1), []usecase.BehaviourMessage{views(0, "m-b", now, 5)}); err != nil {
		t.Fatal(err)
	}

	d, err := svc.Dashboard(ctx, "m-a")
	if err != nil {
		t.Fatal(err)
	}
	if d.Today.Views != 7 || d.Today.Carts != 1 || d.Today.Checkouts != 1 || d.Today.ZeroSearches != 1 {
		t.Fatalf("today %+v; want 7 views, 1 cart, 1 checkout, 1 zero-result search", d.Today)
	}
	last := d.Series[len(d.Series)-1]
	if !last.Minute.Equal(now.Truncate(time.Minute)) || last.Views != 6 {
		t.Errorf("current minute %+v, want 6 views", last)
	}
	if lateP := d.Series[len(d.Series)-1-120]; lateP.Views != 1 {
		t.Errorf("the late event's minute %+v, want 1 view", lateP)
	}
	if len(d.ZeroResults) != 1 || d.ZeroResults[0].Query != "blue kite" {
		t.Errorf("zero-result searches %+v", d.ZeroResults)
	}
	if d.Funnel[1].Rate != 1.0/7 {
		t.Errorf("funnel %+v", d.Funnel)
	}
	platform, err := svc.Dashboard(ctx, domain.Platform)
	if err != nil {
		t.Fatal(err)
	}
	if platform.Today.Views != 12 {
		t.Errorf("platform views %d, want 12", platform.Today.Views)
	}
	b, err := svc.Dashboard(ctx, "m-b")
	if err != nil || b.Today.Views != 5 || b.Today.Carts != 0 {
		t.Errorf("merchant b %+v %v", b.Today, err)
	}
}

func line(product string, unit, qty int64) domain.Line {
	return domain.Line{ProductID: product, Name: "Product " + product, UnitPrice: unit, Currency: "USD", Quantity: qty}
}

func TestSalesAndRefundsCountOncePerMerchant(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	lines := []domain.Line{line("pa", 1000, 2), line("pb", 500, 1)}
	merchantOf := func(l domain.Line) string {
		if l.ProductID == "pa" {
			return "m-a"
		}
		return "m-b"
	}
	order := usecase.PaidOrder{OrderID: "o-1", PaidAt: now, Lines: lines}
	for range 3 {
		if err := svc.RecordSale(ctx, order, merchantOf); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := svc.RecordRefund(ctx, "o-1", "re_1", 2500, "USD", now); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.SetStatus(ctx, "o-1", domain.StatusCancelled); err != nil {
		t.Fatal(err)
	}
	a, err := svc.Dashboard(ctx, "m-a")
	if err != nil {
		t.Fatal(err)
	}
	if a.OrdersToday != 1 || a.RevenueToday[0] != (domain.Money{Amount: 2000, Currency: "USD"}) || a.UnitsToday != 2 {
		t.Fatalf("merchant a: %d orders, %+v, %d units", a.OrdersToday, a.RevenueToday, a.UnitsToday)
	}
	if a.Today.Refunds != 1 || a.Today.Refunded[0].Amount != 2000 {
		t.Errorf("merchant a refunds %d %+v, want 1 of 20.00", a.Today.Refunds, a.Today.Refunded)
	}
	if len(a.LatestOrders) != 1 || len(a.LatestOrders[0].Lines) != 1 || a.LatestOrders[0].Status != domain.StatusCancelled {
		t.Errorf("merchant a sees %+v", a.LatestOrders)
	}
	var rows []domain.ReportRow
	if err := svc.Report(ctx, "m-b", "2026-12-01", "2026-12-02", func(r domain.ReportRow) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []domain.ReportRow{{Day: "2026-12-01"}, {Day: "2026-12-02", Currency: "USD", Orders: 1, Lines: 1, Units: 1, Revenue: 500, Refunds: 1, Refunded: 500, Net: 0}}
	if len(rows) != 2 || rows[0] != want[0] || rows[1] != want[1] {
		t.Fatalf("report rows %+v\nwant %+v", rows, want)
	}
}

func TestARefundBeforeItsSaleIsRetried(t *testing.T) {
	svc, _ := newService(t)
	err := svc.RecordRefund(context.Background(), "o-unknown", "re_9", 100, "USD", now)
	if err == nil {
		t.Fatal("a refund of an unknown order was accepted")
	}
}

// A discounted sale counts what it earned (lines less their discounts,
// shipping aside), and a full refund that also returns the shipping takes
// from the merchant only what the order earned it.
func TestADiscountedSaleCountsItsNetAndItsRefundStopsThere(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	discounted := line("pd", 1000, 3)
	discounted.Discount = 300 // 10% off
	order := usecase.PaidOrder{OrderID: "o-net", PaidAt: now, Lines: []domain.Line{discounted}}
	if err := svc.RecordSale(ctx, order, func(domain.Line) string { return "m-net" }); err != nil {
		t.Fatal(err)
	}
	// 27.00 earned plus 4.90 shipping refunded in full.
	if err := svc.RecordRefund(ctx, "o-net", "re_net", 3190, "USD", now); err != nil {
		t.Fatal(err)
	}
	d, err := svc.Dashboard(ctx, "m-net")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.RevenueToday) != 1 || d.RevenueToday[0].Amount != 2700 {
		t.Errorf("revenue %+v, want 27.00 (30.00 less the 3.00 discount)", d.RevenueToday)
	}
	if len(d.Today.Refunded) != 1 || d.Today.Refunded[0].Amount != 2700 {
		t.Errorf("refunded %+v, want the 27.00 the order earned the merchant", d.Today.Refunded)
	}
}
