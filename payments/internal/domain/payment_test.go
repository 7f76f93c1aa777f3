package domain

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func req(attempt int) ChargeRequest {
	return ChargeRequest{OrderID: "o1", ShopperID: "s1", Amount: 1000, Currency: "EUR", PaymentMethod: "pm_card_visa", Attempt: attempt, Deadline: t0.Add(time.Minute)}
}

func withStatus(s Status) *Payment {
	p := NewPayment(req(1), t0)
	p.Status = s
	return p
}

func TestApplyChargeTransitions(t *testing.T) {
	succeeded := ChargeOutcome{Outcome: OutcomeSucceeded, PaymentIntentID: "pi_1", Attempt: 1}
	failed := ChargeOutcome{Outcome: OutcomeFailed, PaymentIntentID: "pi_1", Attempt: 1, DeclineCode: "insufficient_funds"}
	action := ChargeOutcome{Outcome: OutcomeRequiresAction, PaymentIntentID: "pi_1", Attempt: 1, NextAction: "use_stripe_sdk", ClientSecret: "cs"}
	cases := []struct {
		name    string
		from    Status
		outcome ChargeOutcome
		want    Status
		event   EventKind
	}{
		{"processing succeeds", StatusProcessing, succeeded, StatusSucceeded, EventSucceeded},
		{"processing declines", StatusProcessing, failed, StatusFailed, EventFailed},
		{"processing needs action", StatusProcessing, action, StatusRequiresAction, EventRequiresAction},
		{"action then success", StatusRequiresAction, succeeded, StatusSucceeded, EventSucceeded},
		{"action then failure", StatusRequiresAction, failed, StatusFailed, EventFailed},
		{"late action after success", StatusSucceeded, action, StatusSucceeded, 0},
		{"late failure after success", StatusSucceeded, failed, StatusSucceeded, 0},
		{"duplicate success", StatusSucceeded, succeeded, StatusSucceeded, 0},
		{"success after refund", StatusRefunded, succeeded, StatusRefunded, 0},
		{"success for another attempt", StatusProcessing, ChargeOutcome{Outcome: OutcomeSucceeded, PaymentIntentID: "pi_1", Attempt: 2}, StatusProcessing, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := withStatus(tc.from)
			evs, changed := p.ApplyCharge(tc.outcome, t0)
			if p.Status != tc.want || changed != (tc.event != 0) {
				t.Fatalf("status %s changed %v, want %s changed %v", p.Status, changed, tc.want, tc.event != 0)
			}
			if tc.event != 0 && (len(evs) != 1 || evs[0].Kind != tc.event) {
				t.Errorf("events = %+v, want one of kind %d", evs, tc.event)
			}
		})
	}
}

func TestApplyChargeRefusesAnotherPaymentIntent(t *testing.T) {
	p := withStatus(StatusRequiresAction)
	p.PaymentIntentID = "pi_1"
	if _, changed := p.ApplyCharge(ChargeOutcome{Outcome: OutcomeSucceeded, PaymentIntentID: "pi_other", Attempt: 1}, t0); changed || p.Status != StatusRequiresAction {
		t.Errorf("another PaymentIntent moved the payment to %s", p.Status)
	}
}

func TestRequestDecisions(t *testing.T) {
	cases := []struct {
		name    string
		from    Status
		attempt int
		want    Decision
	}{
		{"redelivery while processing", StatusProcessing, 1, Resume},
		{"redelivery after success", StatusSucceeded, 1, Ignore},
		{"stale attempt", StatusFailed, 0, Ignore},
		{"next attempt after failure", StatusFailed, 2, Restart},
		{"next attempt while requiring action", StatusRequiresAction, 2, Ignore},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := withStatus(tc.from)
			p.Version = 7
			if got := p.Request(req(tc.attempt), t0); got != tc.want {
				t.Fatalf("decision %d, want %d", got, tc.want)
			}
			if tc.want == Restart && (p.Status != StatusProcessing || p.Attempt != 2 || p.IdempotencyKey != IdempotencyKey("o1", 2) || p.Version != 7) {
				t.Errorf("restarted payment = %+v", p)
			}
		})
	}
}

func TestRefundsAddUpAndStopAtTheAmount(t *testing.T) {
	p := withStatus(StatusSucceeded)
	p.PaymentIntentID = "pi_1"
	if !p.RequestRefund("k1", 300, "", t0) || p.RequestRefund("k1", 300, "", t0) {
		t.Fatal("the first request of k1 must record it, the second nothing")
	}
	evs, _ := p.ApplyRefund("k1", RefundOutcome{StripeRefundID: "re_1", Succeeded: true}, t0)
	if p.Status != StatusPartiallyRefunded || p.RefundedAmount != 300 || len(evs) != 1 {
		t.Fatalf("after 300: %+v", p)
	}
	if _, changed := p.ApplyRefund("k1", RefundOutcome{StripeRefundID: "re_1", Succeeded: true}, t0); changed {
		t.Error("a settled refund was applied twice")
	}
	if !p.RequestRefund("k2", 5000, "", t0) || p.PendingRefunds()[0].Amount != 700 {
		t.Fatalf("an oversized refund must be capped at what is left: %+v", p.PendingRefunds())
	}
	if p.RequestRefund("k3", 0, "", t0) {
		t.Error("a refund while the rest is pending must change nothing")
	}
	evs, _ = p.ApplyRefund("k2", RefundOutcome{StripeRefundID: "re_2", Succeeded: true}, t0)
	if p.Status != StatusRefunded || p.RefundedAmount != 1000 || len(evs) != 1 || evs[0].Kind != EventRefunded ||
		!evs[0].Full || evs[0].Amount != 700 || evs[0].RefundID != "re_2" {
		t.Errorf("after the rest: %+v, events %+v", p, evs)
	}
}

func TestChargeRefundsWebhookMatchesKeysAndRecordsOutsideRefunds(t *testing.T) {
	p := withStatus(StatusSucceeded)
	p.PaymentIntentID = "pi_1"
	p.RequestRefund("k1", 200, "", t0)
	list := []StripeRefund{{ID: "re_1", Amount: 200, Key: "k1", Succeeded: true}, {ID: "re_dash", Amount: 100, Succeeded: true}}
	evs, changed := p.ApplyChargeRefunds("pi_1", list, t0)
	if !changed || len(evs) != 2 || p.RefundedAmount != 300 || len(p.Refunds) != 2 {
		t.Fatalf("after the webhook: %+v, %d events", p, len(evs))
	}
	if evs, changed := p.ApplyChargeRefunds("pi_1", list, t0); changed || len(evs) != 0 || p.RefundedAmount != 300 {
		t.Errorf("the same list again changed the payment: %+v", p)
	}
	if _, changed := p.ApplyChargeRefunds("pi_other", list, t0); changed {
		t.Error("another PaymentIntent's refunds were applied")
	}
}

func TestRetryBackoffAndDeadline(t *testing.T) {
	policy := RetryPolicy{Min: time.Second, Max: 8 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 9: 8 * time.Second} {
		if got := policy.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
	p := withStatus(StatusProcessing)
	next, ok := p.ScheduleRetry("down", policy, t0.Add(59*time.Second+500*time.Millisecond))
	if !ok || !next.Equal(p.Deadline) {
		t.Errorf("retry at %s (%v), want capped at the deadline %s", next, ok, p.Deadline)
	}
	if _, ok := p.ScheduleRetry("down", policy, t0.Add(2*time.Minute)); ok || p.Retry.GaveUpAt.IsZero() || p.HasPendingWork() {
		t.Errorf("past the deadline: %+v, want given up", p.Retry)
	}
	if p.Status != StatusProcessing {
		t.Errorf("giving up changed the status to %s; unavailability is never a decline", p.Status)
	}
}
