// Package consumer turns the orders service's events into the catalog's
// reservation use cases: order.placed reserves, order.paid commits,
// order.cancelled releases or returns; and order.shipped records who
// received which product (review eligibility). Every step is idempotent, so
// redelivered, duplicated or late events change nothing the second time.
package consumer

import (
	"context"
	"errors"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
)

// Handlers returns the dispatcher of the catalog's order events; consume
// it with app.ConsumeEvents(consumer.Handlers(svc), events.TopicOrders).
func Handlers(svc *usecase.Service) *events.Handlers {
	h := events.NewHandlers(kafka.Permanent)
	events.On(h, events.TypeOrderPlaced, func(ctx context.Context, _ events.Envelope, data events.OrderPlaced) error {
		return permanentIfInvalid(svc.Reserve(ctx, data.OrderID, lines(data.Lines)))
	})
	events.On(h, events.TypeOrderPaid, func(ctx context.Context, _ events.Envelope, data events.OrderPaid) error {
		return svc.Commit(ctx, data.OrderID)
	})
	events.On(h, events.TypeOrderCancelled, func(ctx context.Context, _ events.Envelope, data events.OrderCancelled) error {
		return permanentIfInvalid(svc.Cancel(ctx, data.OrderID))
	})
	events.On(h, events.TypeOrderShipped, func(ctx context.Context, _ events.Envelope, data events.OrderShipped) error {
		ids := make([]string, len(data.Lines))
		for i, l := range data.Lines {
			ids[i] = l.ProductID
		}
		return svc.RecordShipment(ctx, data.ShopperID, data.OrderID, ids, data.ShippedAt)
	})
	return h
}

func lines(in []events.OrderLine) []domain.Line {
	out := make([]domain.Line, len(in))
	for i, l := range in {
		out[i] = domain.Line{ProductID: l.ProductID, Quantity: l.Quantity}
	}
	return out
}

// permanentIfInvalid sends an event with an unusable order id to the
// dead-letter topic instead of retrying it.
func permanentIfInvalid(err error) error {
	if errors.Is(err, usecase.ErrInvalidOrderID) {
		return kafka.Permanent(err)
	}
	return err
}
