package usecase

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/sony/gobreaker"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/testenv"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestStripeDownOpensTheBreakerAndPaymentsRecoverByThemselves(t *testing.T) {
	f := newFixture(t, breaker.Options{ConsecutiveFailures: 2, OpenFor: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	sweeperDone := make(chan struct{})
	go func() {
		defer close(sweeperDone)
		service.Every(ctx, 10*time.Millisecond, slog.Default(), "payment retry sweep", func(ctx context.Context) error {
			_, err := f.svc.RetryDue(ctx)
			return err
		})
	}()
	t.Cleanup(func() { cancel(); <-sweeperDone })

	f.em.SetFaults(stripeemu.Faults{ErrorRate: 1}) // every API call answers 500
	req := request("order-breaker", "pm_card_visa", 1999)
	if err := f.svc.RequestPayment(ctx, req); err != nil {
		t.Fatalf("Stripe unavailable must not fail the request (the partition would stall): %v", err)
	}
	if p := f.payment(t, req.OrderID); p.Status != domain.StatusProcessing || p.Retry.Count < 1 {
		t.Fatalf("payment = %+v, want processing with a retry", p)
	}
	testenv.Eventually(t, "the breaker to open", 5*time.Second, func() bool { return f.stripe.BreakerState() == gobreaker.StateOpen })

	// While open, calls fail fast without reaching Stripe.
	before := f.em.InjectedErrors()
	begin := time.Now()
	_, err := f.stripe.Charge(ctx, domain.ChargeCall{OrderID: "probe", Attempt: 1, Amount: 1, Currency: "eur", PaymentMethod: "pm_card_visa", IdempotencyKey: "probe"})
	took := time.Since(begin)
	var retryable *apperr.RetryableError
	if !errors.As(err, &retryable) || !errors.Is(err, apperr.ErrUnavailable) || f.em.InjectedErrors() != before || took > 50*time.Millisecond {
		t.Errorf("open breaker: %v after %s, %d calls reached Stripe; want a fast RetryableError", err, took, f.em.InjectedErrors()-before)
	}
	t.Logf("a call with the breaker open failed in %s", took)
	if evs := testenv.Outbox(t, f.db, req.OrderID); len(evs) != 0 {
		t.Fatalf("events while Stripe is down = %v, want none (no decline)", testenv.Types(evs))
	}

	f.em.SetFaults(stripeemu.Faults{}) // Stripe is healthy again
	testenv.Eventually(t, "the payment to succeed by itself", 10*time.Second, func() bool {
		return f.payment(t, req.OrderID).Status == domain.StatusSucceeded
	})
	if got := testenv.Types(testenv.Outbox(t, f.db, req.OrderID)); !slices.Equal(got, []string{events.TypePaymentSucceeded}) {
		t.Errorf("events = %v, want only payment.succeeded", got)
	}
	if a := f.em.Order(req.OrderID); a.SucceededCharges != 1 || len(a.PaymentIntents) != 1 {
		t.Errorf("emulator: %d PaymentIntents, %d charges; want 1 and 1", len(a.PaymentIntents), a.SucceededCharges)
	}
	testenv.Eventually(t, "the retry to be cleared", 5*time.Second, func() bool {
		_, pending, err := f.st.RetryOf(context.Background(), req.OrderID)
		return err == nil && !pending
	})
	t.Logf("Stripe errors injected while down: %d; breaker rejected the rest", f.em.InjectedErrors())
}

func TestGivesUpAtTheDeadlineWithoutADecline(t *testing.T) {
	f := newFixture(t, breaker.Options{ConsecutiveFailures: 100})
	f.em.SetFaults(stripeemu.Faults{ErrorRate: 1})
	req := request("order-down-until-deadline", "pm_card_visa", 700)
	req.Deadline = time.Now().Add(200 * time.Millisecond)
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the payment to give up", 5*time.Second, func() bool {
		if _, err := f.svc.RetryDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		return !f.payment(t, req.OrderID).Retry.GaveUpAt.IsZero()
	})
	p := f.payment(t, req.OrderID)
	if p.Status != domain.StatusProcessing || len(testenv.Outbox(t, f.db, req.OrderID)) != 0 {
		t.Errorf("payment %s with events %v; want processing and no event", p.Status, testenv.Types(testenv.Outbox(t, f.db, req.OrderID)))
	}
	if p.Retry.Count < 2 {
		t.Errorf("retried %d times before the deadline, want at least 2", p.Retry.Count)
	}
}
