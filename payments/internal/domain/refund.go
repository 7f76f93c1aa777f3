package domain

import "time"

// RefundStatus is the state of one refund.
type RefundStatus string

// Refund statuses.
const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// Refund is one refund of a payment.
type Refund struct {
	// Key identifies the refund request and is its Stripe Idempotency-Key,
	// stored before Stripe is called.
	Key            string
	Amount         int64
	Reason         string
	Status         RefundStatus
	StripeRefundID string
	FailureReason  string
	RequestedAt    time.Time
	CompletedAt    time.Time
}

// RefundKey is the idempotency key of the refund asked by an event.
func RefundKey(eventID string) string { return "mercato-refund-" + eventID }

// RequestRefund records a pending refund of amount (0: everything not yet
// refunded or being refunded), capped at what is left. It returns false
// when nothing changes: the key is known already, the payment has not
// succeeded, or nothing is left to refund.
func (p *Payment) RequestRefund(key string, amount int64, reason string, now time.Time) bool {
	if p.refund(key) != nil {
		return false
	}
	if p.Status != StatusSucceeded && p.Status != StatusPartiallyRefunded {
		return false
	}
	left := p.Amount - p.RefundedAmount - p.pendingRefundAmount()
	if left <= 0 {
		return false
	}
	if amount <= 0 || amount > left {
		amount = left
	}
	p.Refunds = append(p.Refunds, Refund{Key: key, Amount: amount, Reason: reason, Status: RefundPending, RequestedAt: now})
	p.UpdatedAt = now
	return true
}

// RefundOutcome is Stripe's answer about a refund.
type RefundOutcome struct {
	StripeRefundID string
	// Succeeded is false for a refund Stripe refused or that failed.
	Succeeded     bool
	FailureReason string
}

// ApplyRefund settles the pending refund with key. A succeeded refund adds
// to the refunded amount, moves the payment to partially_refunded or
// refunded and produces payment.refunded; nothing changes for an unknown
// or already settled refund.
func (p *Payment) ApplyRefund(key string, o RefundOutcome, now time.Time) ([]Event, bool) {
	r := p.refund(key)
	if r == nil || r.Status != RefundPending {
		return nil, false
	}
	r.StripeRefundID, r.CompletedAt = o.StripeRefundID, now
	p.UpdatedAt = now
	if !o.Succeeded {
		r.Status, r.FailureReason = RefundFailed, o.FailureReason
		return nil, true
	}
	r.Status = RefundSucceeded
	return []Event{p.refunded(*r)}, true
}

// StripeRefund is a refund as a charge.refunded webhook lists it.
type StripeRefund struct {
	ID     string
	Amount int64
	// Key is the refund's refund_key metadata (empty for a refund made
	// outside Mercato, such as in Stripe's dashboard).
	Key       string
	Succeeded bool
}

// ApplyChargeRefunds reconciles the refunds of the payment's charge: a
// pending refund of Mercato's settles as its API answer would; a refund
// made outside Mercato is recorded and announced once.
func (p *Payment) ApplyChargeRefunds(paymentIntentID string, refunds []StripeRefund, now time.Time) ([]Event, bool) {
	if paymentIntentID != p.PaymentIntentID || (p.Status != StatusSucceeded && p.Status != StatusPartiallyRefunded) {
		return nil, false
	}
	var evs []Event
	changed := false
	for _, sr := range refunds {
		if !sr.Succeeded || p.knowsStripeRefund(sr.ID) {
			continue
		}
		if sr.Key != "" && p.refund(sr.Key) != nil {
			e, ok := p.ApplyRefund(sr.Key, RefundOutcome{StripeRefundID: sr.ID, Succeeded: true}, now)
			evs, changed = append(evs, e...), changed || ok
			continue
		}
		if sr.Amount <= 0 || sr.Amount > p.Amount-p.RefundedAmount {
			continue
		}
		r := Refund{Key: "stripe-" + sr.ID, Amount: sr.Amount, Reason: "outside_mercato", Status: RefundSucceeded,
			StripeRefundID: sr.ID, RequestedAt: now, CompletedAt: now}
		p.Refunds = append(p.Refunds, r)
		evs = append(evs, p.refunded(r))
		changed = true
	}
	if changed {
		p.UpdatedAt = now
	}
	return evs, changed
}

// refunded adds a succeeded refund to the totals and builds its event.
func (p *Payment) refunded(r Refund) Event {
	p.RefundedAmount += r.Amount
	full := p.RefundedAmount >= p.Amount
	p.Status = StatusPartiallyRefunded
	if full {
		p.Status = StatusRefunded
	}
	return Event{Kind: EventRefunded, RefundID: r.StripeRefundID, Amount: r.Amount, Full: full}
}

// PendingRefunds are the refunds Stripe has not settled yet.
func (p *Payment) PendingRefunds() []Refund {
	var out []Refund
	for _, r := range p.Refunds {
		if r.Status == RefundPending {
			out = append(out, r)
		}
	}
	return out
}

func (p *Payment) pendingRefundAmount() int64 {
	var sum int64
	for _, r := range p.PendingRefunds() {
		sum += r.Amount
	}
	return sum
}

func (p *Payment) refund(key string) *Refund {
	for i := range p.Refunds {
		if p.Refunds[i].Key == key {
			return &p.Refunds[i]
		}
	}
	return nil
}

func (p *Payment) knowsStripeRefund(id string) bool {
	for _, r := range p.Refunds {
		if r.StripeRefundID == id {
			return true
		}
	}
	return false
}

// RefundCall is what Stripe is asked to refund, under the refund's key.
type RefundCall struct {
	OrderID         string
	PaymentIntentID string
	Amount          int64
	Key             string
	Reason          string
}

// RefundCall is the Stripe call a pending refund owes.
func (p *Payment) RefundCall(r Refund) RefundCall {
	return RefundCall{OrderID: p.OrderID, PaymentIntentID: p.PaymentIntentID, Amount: r.Amount, Key: r.Key, Reason: r.Reason}
}
