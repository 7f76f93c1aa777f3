package store

import (
	"time"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// paymentDoc is a payment as stored: one document per order, _id = order id.
type paymentDoc struct {
	ID              string         `bson:"_id"`
	ShopperID       string         `bson:"shopper_id"`
	Amount          int64          `bson:"amount"`
	Currency        string         `bson:"currency"`
	PaymentMethod   string         `bson:"payment_method"`
	Attempt         int            `bson:"attempt"`
	Deadline        time.Time      `bson:"deadline,omitempty"`
	Status          string         `bson:"status"`
	IdempotencyKey  string         `bson:"idempotency_key"`
	PaymentIntentID string         `bson:"payment_intent_id,omitempty"`
	DeclineCode     string         `bson:"decline_code,omitempty"`
	FailureCode     string         `bson:"failure_code,omitempty"`
	FailureMessage  string         `bson:"failure_message,omitempty"`
	NextAction      string         `bson:"next_action,omitempty"`
	ClientSecret    string         `bson:"client_secret,omitempty"`
	Refunds         []refundDoc    `bson:"refunds"`
	RefundedAmount  int64          `bson:"refunded_amount"`
	Retry           retryDoc       `bson:"retry"`
	Version         int64          `bson:"version"`
	CreatedAt       time.Time      `bson:"created_at"`
	UpdatedAt       time.Time      `bson:"updated_at"`
	Outbox          []outbox.Entry `bson:"outbox,omitempty"`
}

type refundDoc struct {
	Key            string    `bson:"key"`
	Amount         int64     `bson:"amount"`
	Reason         string    `bson:"reason,omitempty"`
	Status         string    `bson:"status"`
	StripeRefundID string    `bson:"stripe_refund_id,omitempty"`
	FailureReason  string    `bson:"failure_reason,omitempty"`
	RequestedAt    time.Time `bson:"requested_at"`
	CompletedAt    time.Time `bson:"completed_at,omitempty"`
}

type retryDoc struct {
	Count     int       `bson:"count"`
	NextAt    time.Time `bson:"next_at,omitempty"`
	LastError string    `bson:"last_error,omitempty"`
	GaveUpAt  time.Time `bson:"gave_up_at,omitempty"`
}

func toDoc(p *domain.Payment) paymentDoc {
	refunds := make([]refundDoc, 0, len(p.Refunds))
	for _, r := range p.Refunds {
		refunds = append(refunds, refundDoc{Key: r.Key, Amount: r.Amount, Reason: r.Reason, Status: string(r.Status),
			StripeRefundID: r.StripeRefundID, FailureReason: r.FailureReason, RequestedAt: ms(r.RequestedAt), CompletedAt: ms(r.CompletedAt)})
	}
	return paymentDoc{
		ID: p.OrderID, ShopperID: p.ShopperID, Amount: p.Amount, Currency: p.Currency, PaymentMethod: p.PaymentMethod,
		Attempt: p.Attempt, Deadline: ms(p.Deadline), Status: string(p.Status), IdempotencyKey: p.IdempotencyKey,
		PaymentIntentID: p.PaymentIntentID, DeclineCode: p.DeclineCode, FailureCode: p.FailureCode, FailureMessage: p.FailureMessage,
		NextAction: p.NextAction, ClientSecret: p.ClientSecret, Refunds: refunds, RefundedAmount: p.RefundedAmount,
		Retry:   retryDoc{Count: p.Retry.Count, NextAt: ms(p.Retry.NextAt), LastError: p.Retry.LastError, GaveUpAt: ms(p.Retry.GaveUpAt)},
		Version: p.Version, CreatedAt: ms(p.CreatedAt), UpdatedAt: ms(p.UpdatedAt),
	}
}

func fromDoc(d paymentDoc) *domain.Payment {
	refunds := make([]domain.Refund, 0, len(d.Refunds))
	for _, r := range d.Refunds {
		refunds = append(refunds, domain.Refund{Key: r.Key, Amount: r.Amount, Reason: r.Reason, Status: domain.RefundStatus(r.Status),
			StripeRefundID: r.StripeRefundID, FailureReason: r.FailureReason, RequestedAt: r.RequestedAt.UTC(), CompletedAt: utc(r.CompletedAt)})
	}
	return &domain.Payment{
		OrderID: d.ID, ShopperID: d.ShopperID, Amount: d.Amount, Currency: d.Currency, PaymentMethod: d.PaymentMethod,
		Attempt: d.Attempt, Deadline: utc(d.Deadline), Status: domain.Status(d.Status), IdempotencyKey: d.IdempotencyKey,
		PaymentIntentID: d.PaymentIntentID, DeclineCode: d.DeclineCode, FailureCode: d.FailureCode, FailureMessage: d.FailureMessage,
		NextAction: d.NextAction, ClientSecret: d.ClientSecret, Refunds: refunds, RefundedAmount: d.RefundedAmount,
		Retry:   domain.Retry{Count: d.Retry.Count, NextAt: utc(d.Retry.NextAt), LastError: d.Retry.LastError, GaveUpAt: utc(d.Retry.GaveUpAt)},
		Version: d.Version, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
}

// ms truncates to BSON's millisecond precision, so what is read back
// equals what was written.
func ms(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Millisecond)
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
