// Package consumer turns the orders service's events into payments use
// cases: payment_requested charges, refund_requested refunds. Other event
// types are ignored. Handlers are idempotent: a redelivered or duplicated
// event resumes or changes nothing.
package consumer

import (
	"context"
	"errors"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
)

// Handlers returns the dispatcher of orders.events for app.ConsumeEvents.
func Handlers(svc *usecase.Service) *events.Handlers {
	h := events.NewHandlers(kafka.Permanent)
	events.On(h, events.TypeOrderPaymentRequested, func(ctx context.Context, _ events.Envelope, d events.OrderPaymentRequested) error {
		return permanentIfInvalid(svc.RequestPayment(ctx, domain.ChargeRequest{
			OrderID: d.OrderID, ShopperID: d.ShopperID, Amount: d.Amount.Amount, Currency: d.Amount.Currency,
			PaymentMethod: d.PaymentMethod, Attempt: d.Attempt, Deadline: d.Deadline,
		}))
	})
	events.On(h, events.TypeOrderRefundRequested, func(ctx context.Context, env events.Envelope, d events.OrderRefundRequested) error {
		if d.OrderID == "" {
			return kafka.Permanent(errors.New("refund_requested without order_id"))
		}
		return svc.RequestRefund(ctx, d.OrderID, domain.RefundKey(env.ID), d.Amount.Amount, d.Reason)
	})
	return h
}

// permanentIfInvalid sends an event that can never be handled to the
// dead-letter topic instead of retrying it.
func permanentIfInvalid(err error) error {
	if errors.Is(err, apperr.ErrValidation) {
		return kafka.Permanent(err)
	}
	return err
}
