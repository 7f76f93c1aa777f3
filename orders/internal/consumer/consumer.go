// Package consumer turns the catalog's and payments' events into the
// orders service's saga steps (docs/events.md "The checkout saga").
package consumer

import (
	"context"
	"errors"

	"github.com/mercato-shop/mercato/orders/internal/usecase"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
)

// Topics are the topics whose events drive the saga.
var Topics = []string{events.TopicCatalog, events.TopicPayments}

// errNoOrderID marks an event that names no order: it can never apply.
var errNoOrderID = errors.New("event names no order")

// Handlers dispatches stock and payment events to the saga; other event
// types are ignored, undecodable ones are permanent failures (dead letter).
func Handlers(svc *usecase.Service) *events.Handlers {
	h := events.NewHandlers(kafka.Permanent)
	on(h, events.TypeStockReserved, func(d events.StockReserved) string { return d.OrderID }, svc.StockReserved)
	on(h, events.TypeStockRejected, func(d events.StockRejected) string { return d.OrderID }, svc.StockRejected)
	on(h, events.TypeStockReleased, func(d events.StockReleased) string { return d.OrderID }, svc.StockReleased)
	on(h, events.TypePaymentSucceeded, func(d events.PaymentSucceeded) string { return d.OrderID }, svc.PaymentSucceeded)
	on(h, events.TypePaymentFailed, func(d events.PaymentFailed) string { return d.OrderID }, svc.PaymentFailed)
	on(h, events.TypePaymentRequiresAction, func(d events.PaymentRequiresAction) string { return d.OrderID }, svc.PaymentRequiresAction)
	on(h, events.TypePaymentRefunded, func(d events.PaymentRefunded) string { return d.OrderID }, svc.PaymentRefunded)
	return h
}

// on registers step for eventType, refusing data without an order id.
func on[T any](h *events.Handlers, eventType string, orderID func(T) string, step func(context.Context, T) error) {
	events.On(h, eventType, func(ctx context.Context, _ events.Envelope, data T) error {
		if orderID(data) == "" {
			return kafka.Permanent(errNoOrderID)
		}
		return step(ctx, data)
	})
}
