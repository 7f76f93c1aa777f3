package usecase

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/testenv"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/events"
)

func TestChargeOutcomesAgainstTheEmulator(t *testing.T) {
	f := newFixture(t, breaker.Options{})
	cases := []struct {
		pm      string
		status  domain.Status
		event   string
		decline string
		charges int // succeeded charges at the emulator
	}{
		{"pm_card_visa", domain.StatusSucceeded, events.TypePaymentSucceeded, "", 1},
		{"pm_card_mastercard", domain.StatusSucceeded, events.TypePaymentSucceeded, "", 1},
		{"pm_card_chargeDeclined", domain.StatusFailed, events.TypePaymentFailed, "generic_decline", 0},
		{"pm_card_chargeDeclinedInsufficientFunds", domain.StatusFailed, events.TypePaymentFailed, "insufficient_funds", 0},
		{"pm_card_authenticationRequired", domain.StatusRequiresAction, events.TypePaymentRequiresAction, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.pm, func(t *testing.T) {
			order := "order-" + tc.pm
			if err := f.svc.RequestPayment(context.Background(), request(order, tc.pm, 2599)); err != nil {
				t.Fatal(err)
			}
			p := f.payment(t, order)
			if p.Status != tc.status || p.DeclineCode != tc.decline || p.PaymentIntentID == "" || p.IdempotencyKey != domain.IdempotencyKey(order, 1) {
				t.Fatalf("payment = %+v, want %s (decline %q)", p, tc.status, tc.decline)
			}
			evs := testenv.Outbox(t, f.db, order)
			if len(evs) != 1 || evs[0].Type != tc.event || evs[0].Subject != order {
				t.Fatalf("events = %v, want one %s", testenv.Types(evs), tc.event)
			}
			if tc.event == events.TypePaymentFailed {
				var failed events.PaymentFailed
				if err := evs[0].Decode(&failed); err != nil || failed.DeclineCode != tc.decline || failed.Code != "card_declined" || failed.Attempt != 1 || failed.Amount.Amount != 2599 {
					t.Errorf("payment.failed = %+v, %v", failed, err)
				}
			}
			if tc.event == events.TypePaymentRequiresAction {
				var action events.PaymentRequiresAction
				if err := evs[0].Decode(&action); err != nil || action.NextAction != "use_stripe_sdk" || action.ClientSecret == "" {
					t.Errorf("payment.requires_action = %+v, %v", action, err)
				}
			}
			activity := f.em.Order(order)
			if len(activity.PaymentIntents) != 1 || activity.SucceededCharges != tc.charges || activity.PaymentIntents[0].Metadata["attempt"] != "1" {
				t.Errorf("emulator: %d PaymentIntents, %d charges; want 1 and %d", len(activity.PaymentIntents), activity.SucceededCharges, tc.charges)
			}
			if _, pending, _ := f.st.RetryOf(context.Background(), order); pending {
				t.Errorf("a retry is still scheduled after Stripe answered")
			}
		})
	}
}

func TestRedeliveredRequestChangesNothing(t *testing.T) {
	f := newFixture(t, breaker.Options{})
	req := request("order-redelivered", "pm_card_visa", 1000)
	for range 3 {
		if err := f.svc.RequestPayment(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	if evs := testenv.Outbox(t, f.db, req.OrderID); len(evs) != 1 {
		t.Errorf("events = %v, want one payment.succeeded", testenv.Types(evs))
	}
	if a := f.em.Order(req.OrderID); len(a.PaymentIntents) != 1 || a.SucceededCharges != 1 {
		t.Errorf("emulator: %d PaymentIntents, %d charges; want 1 and 1", len(a.PaymentIntents), a.SucceededCharges)
	}
}

// errCrash stands for the process dying between Stripe's answer and the
// write that would have saved it.
var errCrash = errors.New("process died")

func TestNoDoubleChargeWhenTheProcessDiesAfterStripeConfirmed(t *testing.T) {
	f := newFixture(t, breaker.Options{})
	req := request("order-crash", "pm_card_visa", 4999)
	var lost domain.ChargeOutcome
	f.svc.afterCharge = func(o domain.ChargeOutcome) error { lost = o; return errCrash }
	if err := f.svc.RequestPayment(context.Background(), req); !errors.Is(err, errCrash) {
		t.Fatalf("first delivery: %v, want the simulated crash", err)
	}
	p := f.payment(t, req.OrderID)
	if p.Status != domain.StatusProcessing || p.IdempotencyKey == "" || lost.Outcome != domain.OutcomeSucceeded {
		t.Fatalf("after the crash: payment %+v, Stripe said %+v; want processing with its key stored, and a success", p, lost)
	}
	if a := f.em.Order(req.OrderID); a.SucceededCharges != 1 {
		t.Fatalf("Stripe charged %d times before the crash, want 1", a.SucceededCharges)
	}

	f.svc.afterCharge = nil // the restarted process gets the redelivered request
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	p = f.payment(t, req.OrderID)
	if p.Status != domain.StatusSucceeded || p.PaymentIntentID != lost.PaymentIntentID {
		t.Fatalf("after redelivery: %s with %s, want succeeded with the PaymentIntent of the lost answer %s", p.Status, p.PaymentIntentID, lost.PaymentIntentID)
	}
	a := f.em.Order(req.OrderID)
	if len(a.PaymentIntents) != 1 || a.SucceededCharges != 1 || a.CapturedAmount != 4999 {
		t.Errorf("emulator: %d PaymentIntents, %d charges, %d captured; want one charge of 4999", len(a.PaymentIntents), a.SucceededCharges, a.CapturedAmount)
	}
	if evs := testenv.Outbox(t, f.db, req.OrderID); !slices.Equal(testenv.Types(evs), []string{events.TypePaymentSucceeded}) {
		t.Errorf("events = %v, want one payment.succeeded", testenv.Types(evs))
	}
}

func TestCrashRecoveredByTheRetrySweeperWithoutRedelivery(t *testing.T) {
	f := newFixture(t, breaker.Options{})
	f.svc.opts.Lease = 50 * time.Millisecond
	req := request("order-crash-sweep", "pm_card_visa", 1200)
	f.svc.afterCharge = func(domain.ChargeOutcome) error { return errCrash }
	if err := f.svc.RequestPayment(context.Background(), req); !errors.Is(err, errCrash) {
		t.Fatalf("got %v, want the simulated crash", err)
	}
	f.svc.afterCharge = nil
	testenv.Eventually(t, "the lease to fall due and the sweeper to settle the payment", 5*time.Second, func() bool {
		if _, err := f.svc.RetryDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		return f.payment(t, req.OrderID).Status == domain.StatusSucceeded
	})
	if a := f.em.Order(req.OrderID); len(a.PaymentIntents) != 1 || a.SucceededCharges != 1 {
		t.Errorf("emulator: %d PaymentIntents, %d charges; want 1 and 1", len(a.PaymentIntents), a.SucceededCharges)
	}
}

func TestLaterAttemptAfterADeclineGetsANewKey(t *testing.T) {
	f := newFixture(t, breaker.Options{})
	first := request("order-second-attempt", "pm_card_chargeDeclined", 800)
	if err := f.svc.RequestPayment(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	second := first
	second.Attempt, second.PaymentMethod = 2, "pm_card_visa"
	if err := f.svc.RequestPayment(context.Background(), second); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestPayment(context.Background(), first); err != nil { // a late duplicate of attempt 1
		t.Fatal(err)
	}
	p := f.payment(t, first.OrderID)
	if p.Status != domain.StatusSucceeded || p.Attempt != 2 || p.IdempotencyKey != domain.IdempotencyKey(first.OrderID, 2) || p.DeclineCode != "" {
		t.Fatalf("payment = %+v, want attempt 2 succeeded", p)
	}
	want := []string{events.TypePaymentFailed, events.TypePaymentSucceeded}
	if got := testenv.Types(testenv.Outbox(t, f.db, first.OrderID)); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if a := f.em.Order(first.OrderID); len(a.PaymentIntents) != 2 || a.SucceededCharges != 1 {
		t.Errorf("emulator: %d PaymentIntents, %d charges; want 2 and 1", len(a.PaymentIntents), a.SucceededCharges)
	}
}

func TestPastTheDeadlineNothingIsCharged(t *testing.T) {
	f := newFixture(t, breaker.Options{})
	req := request("order-late", "pm_card_visa", 500)
	req.Deadline = time.Now().Add(-time.Second)
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	p := f.payment(t, req.OrderID)
	if p.Status != domain.StatusProcessing || p.Retry.GaveUpAt.IsZero() {
		t.Fatalf("payment = %+v, want processing and given up", p)
	}
	if evs := testenv.Outbox(t, f.db, req.OrderID); len(evs) != 0 {
		t.Errorf("events = %v, want none (no decline)", testenv.Types(evs))
	}
	if a := f.em.Order(req.OrderID); len(a.PaymentIntents) != 0 {
		t.Errorf("Stripe was called %d times after the deadline", len(a.PaymentIntents))
	}
}
