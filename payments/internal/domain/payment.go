// Package domain holds the payments service's rules: the payment of an
// order, its state machine and its refunds. It knows nothing of HTTP,
// MongoDB, Kafka or Stripe's SDK.
//
// A payment moves processing → requires_action | succeeded | failed;
// requires_action → succeeded | failed; succeeded → partially_refunded |
// refunded; partially_refunded → refunded. A failed payment starts again
// (processing) only for a later attempt of the order. Every transition is
// guarded: an answer for another attempt or another PaymentIntent, or one
// that arrives after the payment moved on, changes nothing.
package domain

import (
	"fmt"
	"time"
)

// Status is the state of a payment.
type Status string

// Payment statuses.
const (
	StatusProcessing        Status = "processing"
	StatusRequiresAction    Status = "requires_action"
	StatusSucceeded         Status = "succeeded"
	StatusFailed            Status = "failed"
	StatusPartiallyRefunded Status = "partially_refunded"
	StatusRefunded          Status = "refunded"
)

// Payment is the payment of one order (its id is the order id).
type Payment struct {
	OrderID       string
	ShopperID     string
	Amount        int64 // minor units
	Currency      string
	PaymentMethod string
	// Attempt is the order's payment attempt this payment is for.
	Attempt int
	// Deadline is when the order stops waiting: no Stripe call after it.
	Deadline time.Time
	Status   Status
	// IdempotencyKey of the charge, derived from the order and the attempt
	// and stored before Stripe is called.
	IdempotencyKey  string
	PaymentIntentID string
	DeclineCode     string
	FailureCode     string
	FailureMessage  string
	// NextAction and ClientSecret let the shopper's browser finish a
	// payment that requires action.
	NextAction     string
	ClientSecret   string
	Refunds        []Refund
	RefundedAmount int64
	Retry          Retry
	// Version counts the writes of the payment (optimistic concurrency).
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Retry is the state of the retries of calls Stripe did not answer.
type Retry struct {
	// Count is the number of failed calls in a row.
	Count     int
	NextAt    time.Time
	LastError string
	// GaveUpAt is set when the deadline passed while Stripe was unavailable.
	GaveUpAt time.Time
}

// ChargeRequest is the order's request to charge (payment_requested).
type ChargeRequest struct {
	OrderID       string
	ShopperID     string
	Amount        int64
	Currency      string
	PaymentMethod string
	Attempt       int
	Deadline      time.Time
}

// IdempotencyKey is the Stripe Idempotency-Key of an order's attempt: the
// same order and attempt always get the same key, so Stripe charges once.
func IdempotencyKey(orderID string, attempt int) string {
	return fmt.Sprintf("mercato-pay-%s-%d", orderID, attempt)
}

// NewPayment starts the payment of a request in processing.
func NewPayment(req ChargeRequest, now time.Time) *Payment {
	return &Payment{
		OrderID:        req.OrderID,
		ShopperID:      req.ShopperID,
		Amount:         req.Amount,
		Currency:       req.Currency,
		PaymentMethod:  req.PaymentMethod,
		Attempt:        req.Attempt,
		Deadline:       req.Deadline,
		Status:         StatusProcessing,
		IdempotencyKey: IdempotencyKey(req.OrderID, req.Attempt),
		CreatedAt:      now,
		UpdatedAt:      now,
	}
}

// Decision is what a payment request means for an existing payment.
type Decision int

// Decisions of Payment.Request.
const (
	// Ignore: a stale or already answered request.
	Ignore Decision = iota
	// Resume: the same attempt is still processing (a redelivery, perhaps
	// after a crash): call Stripe again with the stored key.
	Resume
	// Restart: a later attempt after a failed one; the payment was reset to
	// processing with the new attempt's key.
	Restart
)

// Request applies a payment request to an existing payment.
func (p *Payment) Request(req ChargeRequest, now time.Time) Decision {
	switch {
	case req.Attempt == p.Attempt && p.Status == StatusProcessing:
		return Resume
	case req.Attempt > p.Attempt && p.Status == StatusFailed:
		*p = Payment{
			OrderID: p.OrderID, ShopperID: req.ShopperID, Amount: req.Amount, Currency: req.Currency,
			PaymentMethod: req.PaymentMethod, Attempt: req.Attempt, Deadline: req.Deadline,
			Status: StatusProcessing, IdempotencyKey: IdempotencyKey(p.OrderID, req.Attempt),
			Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: now,
		}
		return Restart
	default:
		return Ignore
	}
}

// Expired reports whether the order's deadline has passed at now.
func (p *Payment) Expired(now time.Time) bool {
	return !p.Deadline.IsZero() && now.After(p.Deadline)
}

// HasPendingWork reports whether a Stripe call is still owed: the charge
// of a processing payment or a pending refund.
func (p *Payment) HasPendingWork() bool {
	if p.Status == StatusProcessing && p.Retry.GaveUpAt.IsZero() {
		return true
	}
	return len(p.PendingRefunds()) > 0
}
