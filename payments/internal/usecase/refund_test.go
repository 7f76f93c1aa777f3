package usecase

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/testenv"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestPartialThenFullRefund(t *testing.T) {
	f := newFixture(t, breaker.Options{})
	ctx := context.Background()
	req := request("order-refunds", "pm_card_visa", 3000)
	if err := f.svc.RequestPayment(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestRefund(ctx, req.OrderID, "k1", 1000, events.CancelShopperCancelled); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestRefund(ctx, req.OrderID, "k1", 1000, events.CancelShopperCancelled); err != nil { // redelivered
		t.Fatal(err)
	}
	p := f.payment(t, req.OrderID)
	if p.Status != domain.StatusPartiallyRefunded || p.RefundedAmount != 1000 || len(p.Refunds) != 1 || p.Refunds[0].StripeRefundID == "" {
		t.Fatalf("after a partial refund: %+v", p)
	}
	if err := f.svc.RequestRefund(ctx, req.OrderID, "k2", 0, events.CancelShopperCancelled); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestRefund(ctx, req.OrderID, "k3", 0, events.CancelShopperCancelled); err != nil { // nothing left
		t.Fatal(err)
	}
	p = f.payment(t, req.OrderID)
	if p.Status != domain.StatusRefunded || p.RefundedAmount != 3000 || len(p.Refunds) != 2 {
		t.Fatalf("after the full refund: %+v", p)
	}
	evs := testenv.Outbox(t, f.db, req.OrderID)
	want := []string{events.TypePaymentSucceeded, events.TypePaymentRefunded, events.TypePaymentRefunded}
	if !slices.Equal(testenv.Types(evs), want) {
		t.Fatalf("events = %v, want %v", testenv.Types(evs), want)
	}
	var partial, full events.PaymentRefunded
	if err := evs[1].Decode(&partial); err != nil || partial.Amount.Amount != 1000 || partial.Full || partial.RefundID == "" {
		t.Errorf("first refund event = %+v, %v", partial, err)
	}
	if err := evs[2].Decode(&full); err != nil || full.Amount.Amount != 2000 || !full.Full || full.Amount.Currency != "EUR" {
		t.Errorf("second refund event = %+v, %v", full, err)
	}
	if a := f.em.Order(req.OrderID); len(a.Refunds) != 2 || a.RefundedAmount != 3000 {
		t.Errorf("emulator: %d refunds, %d refunded; want 2 and 3000", len(a.Refunds), a.RefundedAmount)
	}
}

func TestRefundOfAnUnpaidOrderChangesNothing(t *testing.T) {
	f := newFixture(t, breaker.Options{})
	ctx := context.Background()
	req := request("order-refund-declined", "pm_card_chargeDeclined", 3000)
	if err := f.svc.RequestPayment(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestRefund(ctx, req.OrderID, "k1", 0, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestRefund(ctx, "order-never-paid", "k1", 0, ""); err != nil {
		t.Fatal(err)
	}
	if p := f.payment(t, req.OrderID); p.Status != domain.StatusFailed || len(p.Refunds) != 0 {
		t.Errorf("payment = %+v, want failed without refunds", p)
	}
	if a := f.em.Order(req.OrderID); len(a.Refunds) != 0 {
		t.Errorf("Stripe was asked for %d refunds", len(a.Refunds))
	}
}

func TestRefundWhileStripeIsDownIsRetried(t *testing.T) {
	f := newFixture(t, breaker.Options{ConsecutiveFailures: 100})
	ctx := context.Background()
	req := request("order-refund-retry", "pm_card_visa", 900)
	if err := f.svc.RequestPayment(ctx, req); err != nil {
		t.Fatal(err)
	}
	f.em.SetFaults(stripeemu.Faults{FailNext: 3})
	if err := f.svc.RequestRefund(ctx, req.OrderID, "k1", 0, ""); err != nil {
		t.Fatal(err)
	}
	if p := f.payment(t, req.OrderID); p.Status != domain.StatusSucceeded || len(p.PendingRefunds()) != 1 {
		t.Fatalf("payment = %+v, want succeeded with a pending refund", p)
	}
	testenv.Eventually(t, "the refund to go through", 5*time.Second, func() bool {
		if _, err := f.svc.RetryDue(ctx); err != nil {
			t.Fatal(err)
		}
		return f.payment(t, req.OrderID).Status == domain.StatusRefunded
	})
	if a := f.em.Order(req.OrderID); len(a.Refunds) != 1 || a.RefundedAmount != 900 {
		t.Errorf("emulator: %d refunds of %d; want one of 900", len(a.Refunds), a.RefundedAmount)
	}
}
