package usecase

import (
	"context"
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// RequestPayment handles the order's payment request. The payment (with
// its idempotency key) is stored before Stripe is called; a redelivered
// request for the same attempt resumes it with the same key, so a crash
// between Stripe's answer and saving it cannot charge twice. While Stripe
// is unavailable the payment stays processing and a retry is scheduled:
// the request itself succeeds, so the Kafka partition moves on.
func (s *Service) RequestPayment(ctx context.Context, req domain.ChargeRequest) error {
	if req.OrderID == "" || req.Attempt < 1 {
		return fmt.Errorf("payment request for order %q attempt %d: %w", req.OrderID, req.Attempt, apperr.ErrValidation)
	}
	p, err := s.startPayment(ctx, req)
	if err != nil || p == nil {
		return err
	}
	return s.charge(ctx, p)
}

// startPayment creates the payment, or restarts or resumes it; nil when
// the request changes nothing.
func (s *Service) startPayment(ctx context.Context, req domain.ChargeRequest) (*domain.Payment, error) {
	fresh := domain.NewPayment(req, s.now())
	err := s.store.Insert(ctx, fresh, nil)
	if err == nil {
		return fresh, nil // as stored: no need to read it back
	}
	if !store.IsConflict(err) {
		return nil, err
	}
	var decision domain.Decision
	p, _, err := s.change(ctx, req.OrderID, func(p *domain.Payment) ([]domain.Event, bool) {
		decision = p.Request(req, s.now())
		return nil, decision == domain.Restart
	})
	if err != nil {
		return nil, err
	}
	if decision == domain.Ignore {
		s.log.Info("payment request ignored", "order_id", req.OrderID, "attempt", req.Attempt, "payment_attempt", p.Attempt, "status", p.Status)
		return nil, nil
	}
	return p, nil
}

// charge calls Stripe for a processing payment and saves the answer.
func (s *Service) charge(ctx context.Context, p *domain.Payment) error {
	if p.Expired(s.now()) {
		_, _, err := s.change(ctx, p.OrderID, func(p *domain.Payment) ([]domain.Event, bool) { return nil, p.GiveUp(s.now()) })
		s.log.Warn("payment deadline passed before Stripe could be called; not charging", "order_id", p.OrderID, "attempt", p.Attempt)
		return err
	}
	lease, err := s.store.ScheduleRetry(ctx, p.OrderID, s.now().Add(s.opts.Lease))
	if err != nil {
		return err
	}
	call := p.ChargeCall()
	outcome, callErr := s.gateway.Charge(ctx, call)
	if callErr != nil {
		return s.retryLater(ctx, p.OrderID, callErr)
	}
	if s.afterCharge != nil {
		if err := s.afterCharge(outcome); err != nil {
			return err
		}
	}
	now, changed, err := s.change(ctx, p.OrderID, func(p *domain.Payment) ([]domain.Event, bool) {
		return p.ApplyCharge(outcome, s.now())
	})
	if err != nil {
		return err
	}
	s.log.Info("charge answered", "order_id", p.OrderID, "attempt", call.Attempt, "payment_intent", outcome.PaymentIntentID,
		"outcome", outcomeName(outcome.Outcome), "decline_code", outcome.DeclineCode, "applied", changed)
	return s.settleRetry(ctx, now, lease)
}

// settleRetry ends the lease taken for a call that was answered: the
// retry is cleared, or brought forward when the payment still owes calls.
func (s *Service) settleRetry(ctx context.Context, p *domain.Payment, lease time.Time) error {
	if p.HasPendingWork() {
		_, err := s.store.ScheduleRetry(ctx, p.OrderID, s.now())
		return err
	}
	return s.store.ClearRetry(ctx, p.OrderID, lease)
}

// retryLater records a failed call and schedules the payment's next try;
// past the order's deadline the charge gives up (still not a decline).
func (s *Service) retryLater(ctx context.Context, orderID string, cause error) error {
	var next time.Time
	var scheduled bool
	_, _, err := s.change(ctx, orderID, func(p *domain.Payment) ([]domain.Event, bool) {
		next, scheduled = p.ScheduleRetry(cause.Error(), s.opts.Retry, s.now())
		return nil, true
	})
	if err != nil {
		return err
	}
	if !scheduled {
		s.log.Warn("Stripe unavailable until the payment's deadline; giving up without a decline", "order_id", orderID, "error", cause.Error())
		return nil
	}
	s.log.Warn("Stripe unavailable; retrying later with the same idempotency key", "order_id", orderID, "retry_at", next, "error", cause.Error())
	_, err = s.store.ScheduleRetry(ctx, orderID, next)
	return err
}

func outcomeName(o domain.Outcome) string {
	switch o {
	case domain.OutcomeSucceeded:
		return "succeeded"
	case domain.OutcomeFailed:
		return "failed"
	case domain.OutcomeRequiresAction:
		return "requires_action"
	}
	return "unknown"
}
