package usecase

import (
	"context"

	"github.com/mercato-shop/mercato/payments/internal/domain"
)

// RequestRefund refunds amount (0: all that is left) of the order's
// payment. The refund, keyed by key (its Stripe idempotency key), is stored
// before Stripe is called, so a repeated request refunds once.
func (s *Service) RequestRefund(ctx context.Context, orderID, key string, amount int64, reason string) error {
	p, _, err := s.change(ctx, orderID, func(p *domain.Payment) ([]domain.Event, bool) {
		return nil, p.RequestRefund(key, amount, reason, s.now())
	})
	if isNotFound(err) {
		s.log.Warn("refund requested for an order without a payment; nothing to refund", "order_id", orderID)
		return nil
	}
	if err != nil {
		return err
	}
	for _, r := range p.PendingRefunds() {
		if r.Key == key {
			return s.refund(ctx, p, r)
		}
	}
	s.log.Info("refund request changes nothing", "order_id", orderID, "key", key, "status", p.Status, "refunded_amount", p.RefundedAmount)
	return nil
}

// refund calls Stripe for a pending refund and saves the answer.
func (s *Service) refund(ctx context.Context, p *domain.Payment, r domain.Refund) error {
	lease, err := s.store.ScheduleRetry(ctx, p.OrderID, s.now().Add(s.opts.Lease))
	if err != nil {
		return err
	}
	outcome, callErr := s.gateway.Refund(ctx, p.RefundCall(r))
	if callErr != nil {
		return s.retryLater(ctx, p.OrderID, callErr)
	}
	now, changed, err := s.change(ctx, p.OrderID, func(p *domain.Payment) ([]domain.Event, bool) {
		return p.ApplyRefund(r.Key, outcome, s.now())
	})
	if err != nil {
		return err
	}
	if !outcome.Succeeded {
		s.log.Error("Stripe refused a refund", "order_id", p.OrderID, "key", r.Key, "amount", r.Amount, "reason", outcome.FailureReason)
	} else {
		s.log.Info("refund answered", "order_id", p.OrderID, "refund", outcome.StripeRefundID, "amount", r.Amount, "applied", changed)
	}
	return s.settleRetry(ctx, now, lease)
}
