package domain

import "time"

// Outcome is what Stripe says about a PaymentIntent.
type Outcome int

// Outcomes of a charge.
const (
	OutcomeSucceeded Outcome = iota + 1
	OutcomeFailed
	OutcomeRequiresAction
)

// ChargeOutcome is Stripe's answer about an order's PaymentIntent, from
// the synchronous call or from a webhook.
type ChargeOutcome struct {
	Outcome         Outcome
	PaymentIntentID string
	// Attempt the PaymentIntent belongs to (its attempt metadata).
	Attempt int
	// DeclineCode is the issuer's decline code (else Stripe's error code);
	// Code is Stripe's error code, such as card_declined.
	DeclineCode  string
	Code         string
	Message      string
	NextAction   string
	ClientSecret string
}

// ApplyCharge moves the payment by Stripe's answer. It changes nothing
// (false) for another attempt, another PaymentIntent, or a payment that has
// already moved past where the answer applies, so duplicated, reordered and
// late answers are harmless.
func (p *Payment) ApplyCharge(o ChargeOutcome, now time.Time) ([]Event, bool) {
	if o.Attempt != p.Attempt || (p.PaymentIntentID != "" && o.PaymentIntentID != "" && o.PaymentIntentID != p.PaymentIntentID) {
		return nil, false
	}
	open := p.Status == StatusProcessing || p.Status == StatusRequiresAction
	var ev Event
	switch {
	case o.Outcome == OutcomeSucceeded && open:
		p.Status = StatusSucceeded
		ev = Event{Kind: EventSucceeded, PaymentIntentID: o.PaymentIntentID}
	case o.Outcome == OutcomeFailed && open:
		p.Status = StatusFailed
		p.DeclineCode, p.FailureCode, p.FailureMessage = o.DeclineCode, o.Code, o.Message
		ev = Event{Kind: EventFailed, PaymentIntentID: o.PaymentIntentID, DeclineCode: o.DeclineCode, Code: o.Code, Message: o.Message}
	case o.Outcome == OutcomeRequiresAction && p.Status == StatusProcessing:
		p.Status = StatusRequiresAction
		p.NextAction, p.ClientSecret = o.NextAction, o.ClientSecret
		ev = Event{Kind: EventRequiresAction, PaymentIntentID: o.PaymentIntentID, NextAction: o.NextAction,
			ClientSecret: o.ClientSecret}
	default:
		return nil, false
	}
	if o.PaymentIntentID != "" {
		p.PaymentIntentID = o.PaymentIntentID
	}
	if p.Status != StatusRequiresAction {
		p.NextAction, p.ClientSecret = "", ""
	}
	p.Retry = Retry{}
	p.UpdatedAt = now
	return []Event{ev}, true
}

// ChargeCall is what Stripe is asked to charge: a PaymentIntent created
// and confirmed under the payment's idempotency key.
type ChargeCall struct {
	OrderID        string
	Attempt        int
	Amount         int64
	Currency       string
	PaymentMethod  string
	IdempotencyKey string
}

// ChargeCall is the Stripe call the payment owes.
func (p *Payment) ChargeCall() ChargeCall {
	return ChargeCall{OrderID: p.OrderID, Attempt: p.Attempt, Amount: p.Amount, Currency: p.Currency,
		PaymentMethod: p.PaymentMethod, IdempotencyKey: p.IdempotencyKey}
}
