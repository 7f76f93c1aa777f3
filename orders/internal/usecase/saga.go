package usecase

import (
	"context"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/events"
)

// The saga steps, one per consumed event (docs/events.md "The checkout saga").
// Each is idempotent: the domain transition of a duplicated, redelivered or
// late event is a no-op, and every write is conditional on the order's status
// and version. An event about an order this service does not know is ignored.

// StockReserved moves a pending order to awaiting_payment and requests
// payment attempt 1.
func (s *Service) StockReserved(ctx context.Context, e events.StockReserved) error {
	return s.step(ctx, e.OrderID, func(o domain.Order) domain.Outcome {
		now := s.now()
		return o.StockReserved(now, now.Add(s.opts.StepTimeout))
	})
}

// StockRejected cancels a pending order as out of stock.
func (s *Service) StockRejected(ctx context.Context, e events.StockRejected) error {
	return s.step(ctx, e.OrderID, func(o domain.Order) domain.Outcome { return o.StockRejected(s.now()) })
}

// StockReleased cancels an order still awaiting payment whose hold expired.
func (s *Service) StockReleased(ctx context.Context, e events.StockReleased) error {
	expired := e.Reason == events.ReleaseExpired
	return s.step(ctx, e.OrderID, func(o domain.Order) domain.Outcome { return o.StockReleased(expired, s.now()) })
}

// PaymentSucceeded pays the order, or refunds a payment that came too late.
func (s *Service) PaymentSucceeded(ctx context.Context, e events.PaymentSucceeded) error {
	amount := domain.Money{Amount: e.Amount.Amount, Currency: e.Amount.Currency}
	return s.step(ctx, e.OrderID, func(o domain.Order) domain.Outcome {
		return o.PaymentSucceeded(e.Attempt, e.PaymentIntentID, amount, s.now())
	})
}

// PaymentFailed cancels the order as payment_declined.
func (s *Service) PaymentFailed(ctx context.Context, e events.PaymentFailed) error {
	return s.step(ctx, e.OrderID, func(o domain.Order) domain.Outcome { return o.PaymentFailed(e.Attempt, s.now()) })
}

// PaymentRequiresAction records that the shopper must authenticate.
func (s *Service) PaymentRequiresAction(ctx context.Context, e events.PaymentRequiresAction) error {
	return s.step(ctx, e.OrderID, func(o domain.Order) domain.Outcome { return o.PaymentRequiresAction(e.Attempt, s.now()) })
}

// PaymentRefunded records a completed refund.
func (s *Service) PaymentRefunded(ctx context.Context, e events.PaymentRefunded) error {
	amount := domain.Money{Amount: e.Amount.Amount, Currency: e.Amount.Currency}
	return s.step(ctx, e.OrderID, func(o domain.Order) domain.Outcome { return o.PaymentRefunded(amount, s.now()) })
}

// step applies one saga transition to an order.
func (s *Service) step(ctx context.Context, orderID string, transition func(domain.Order) domain.Outcome) error {
	_, err := s.apply(ctx, orderID, func(o domain.Order) (domain.Outcome, error) { return transition(o), nil })
	if isNotFound(err) {
		s.log.WarnContext(ctx, "event for an unknown order ignored", "order_id", orderID)
		return nil
	}
	return err
}

// SweepDeadlines cancels every order whose waiting deadline has passed
// (reason timeout, with its compensations) and reports how many it looked
// at.
func (s *Service) SweepDeadlines(ctx context.Context) (int, error) {
	const batch = 100
	swept := 0
	for {
		due, err := s.orders.Due(ctx, s.now(), batch)
		if err != nil {
			return swept, err
		}
		if swept == 0 {
			ordersOverdue.Set(float64(len(due)))
		}
		for _, o := range due {
			_, err := s.apply(ctx, o.ID, func(o domain.Order) (domain.Outcome, error) { return o.DeadlinePassed(s.now()), nil })
			if err != nil {
				return swept, err
			}
			swept++
		}
		if len(due) < batch {
			return swept, nil
		}
	}
}

// RunDeadlineSweeper sweeps every interval until ctx ends; errors are
// logged and retried on the next tick.
func (s *Service) RunDeadlineSweeper(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		n, err := s.SweepDeadlines(ctx)
		observeSweep(n, err, s.now())
		if err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "deadline sweep failed", "error", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "orders cancelled after their deadline", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
