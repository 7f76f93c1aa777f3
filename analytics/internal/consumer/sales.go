// Package consumer feeds the analytics use cases from Kafka: the sales
// events of orders.events and payments.events through the platform's
// consumer, and the behaviour batches of analytics.ingest through a
// partition-parallel consumer that applies each fetched batch at once.
package consumer

import (
	"context"
	"errors"
	"time"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/analytics/internal/usecase"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
)

// SalesTopics are the topics of Handlers.
var SalesTopics = []string{events.TopicOrders, events.TopicPayments}

// Handlers dispatches the sales events: order.paid counts a sale,
// order.shipped and order.cancelled change its status, payment.refunded
// counts a refund.
func Handlers(svc *usecase.Service) *events.Handlers {
	h := events.NewHandlers(kafka.Permanent)
	events.On(h, events.TypeOrderPaid, func(ctx context.Context, env events.Envelope, e events.OrderPaid) error {
		at := e.PaidAt
		if at.IsZero() {
			at = env.Time
		}
		lines := make([]domain.Line, 0, len(e.Lines))
		merchants := make(map[domain.Line]string, len(e.Lines))
		for _, l := range e.Lines {
			dl := domain.Line{ProductID: l.ProductID, Name: l.Name, UnitPrice: l.UnitPrice.Amount, Currency: l.UnitPrice.Currency,
				Quantity: l.Quantity, Discount: l.Discount.Amount}
			lines = append(lines, dl)
			merchants[dl] = l.MerchantID
		}
		return svc.RecordSale(ctx, usecase.PaidOrder{OrderID: e.OrderID, PaidAt: at, Lines: lines},
			func(l domain.Line) string { return merchants[l] })
	})
	events.On(h, events.TypeOrderShipped, func(ctx context.Context, _ events.Envelope, e events.OrderShipped) error {
		return svc.SetStatus(ctx, e.OrderID, domain.StatusShipped, e.MerchantID)
	})
	events.On(h, events.TypeOrderCancelled, func(ctx context.Context, _ events.Envelope, e events.OrderCancelled) error {
		if !e.WasPaid {
			return nil
		}
		return svc.SetStatus(ctx, e.OrderID, domain.StatusCancelled)
	})
	events.On(h, events.TypePaymentRefunded, func(ctx context.Context, env events.Envelope, e events.PaymentRefunded) error {
		return awaitOrder(ctx, refundWait, func() error {
			return svc.RecordRefund(ctx, e.OrderID, e.RefundID, e.Amount.Amount, e.Amount.Currency, env.Time)
		})
	})
	return h
}

// refundWait bounds how long a refund waits for its order's paid event.
// The two come on different topics, so nothing orders them: when the
// orders topic lags (its relay or this consumer slowed by a restart, a
// rebalance or a broker outage) a refund arrives first, and the
// consumer's own retries (about 1.5 s in all) used to dead-letter it
// (seen in the chaos suite). Waiting holds only that payments partition.
const refundWait = 2 * time.Minute

// awaitOrder calls record until it stops failing with ErrOrderUnknown or
// limit passes, pausing 100 ms, then twice as long each time up to 2 s.
func awaitOrder(ctx context.Context, limit time.Duration, record func() error) error {
	deadline := time.Now().Add(limit)
	pause := 100 * time.Millisecond
	for {
		err := record()
		if !errors.Is(err, usecase.ErrOrderUnknown) || time.Now().Add(pause).After(deadline) {
			return err
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		pause = min(2*pause, 2*time.Second)
	}
}
