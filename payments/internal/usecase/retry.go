package usecase

import (
	"context"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/store"
)

// retryBatch bounds the payments one sweep resumes.
const retryBatch = 50

// RetryDue resumes the payments whose retry is due: the charge of a
// processing payment and pending refunds, with their stored idempotency
// keys. It returns how many it resumed.
func (s *Service) RetryDue(ctx context.Context) (int, error) {
	due, err := s.store.DueRetries(ctx, s.now(), retryBatch)
	if err != nil {
		return 0, err
	}
	for _, r := range due {
		if err := s.resume(ctx, r); err != nil && ctx.Err() == nil {
			s.log.Warn("resuming a payment failed; the next sweep tries again", "order_id", r.OrderID, "error", err.Error())
		}
	}
	return len(due), nil
}

func (s *Service) resume(ctx context.Context, r store.DueRetry) error {
	p, err := s.store.Get(ctx, r.OrderID)
	if isNotFound(err) {
		return s.store.ClearRetry(ctx, r.OrderID, r.Due)
	}
	if err != nil {
		return err
	}
	if !p.HasPendingWork() {
		return s.store.ClearRetry(ctx, r.OrderID, r.Due)
	}
	if p.Retry.GaveUpAt.IsZero() && p.Status == domain.StatusProcessing {
		return s.charge(ctx, p)
	}
	for _, ref := range p.PendingRefunds() {
		if err := s.refund(ctx, p, ref); err != nil {
			return err
		}
		if p, err = s.store.Get(ctx, r.OrderID); err != nil {
			return err
		}
	}
	return nil
}
