package usecase

import (
	"context"
	"errors"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// Settling the holds of an order.placed run by the recorded outcome: the
// outcome is recorded first (first writer wins), then every run makes the
// holds agree with it, so overlapping runs cannot leave holds behind for a
// rejected order (see Reserve).

// settleRecorded settles r's holds after recording its outcome returned
// err: by r's own state when it was recorded, by the state another run
// recorded first on a conflict.
func (s *Service) settleRecorded(ctx context.Context, r domain.Reservation, err error) error {
	if err == nil {
		return s.settle(ctx, r.OrderID, r.State, r.Lines)
	}
	if !errors.Is(err, apperr.ErrConflict) {
		return err
	}
	recorded, err := s.store.Reservation(ctx, r.OrderID)
	if err != nil {
		return err
	}
	return s.settle(ctx, r.OrderID, recorded.State, r.Lines)
}

// settle makes orderID's holds on lines agree with its recorded state:
// an order rejected, or released before it was placed, holds nothing and
// never will. Other states leave the holds to their own use cases.
func (s *Service) settle(ctx context.Context, orderID string, state domain.ReservationState, lines []domain.Line) error {
	if state != domain.StateRejected && state != domain.StateReleased {
		return nil
	}
	now := s.now()
	for _, l := range lines {
		if err := s.rollbackLine(ctx, orderID, l, now); err != nil {
			return err
		}
	}
	return nil
}

// rollbackLine ends orderID's live hold on l's product (its units go back
// to available) or, where the order has no entry, leaves a tombstone, so
// that the product is never held for the order again. A hold that appears
// between the two attempts is caught by the last one.
func (s *Service) rollbackLine(ctx context.Context, orderID string, l domain.Line, now time.Time) error {
	for range 2 {
		p, ok, err := s.store.Unhold(ctx, l.ProductID, orderID, l.Quantity, now)
		if err != nil {
			return err
		}
		if ok {
			s.model.Apply(p)
			return nil
		}
		if forbidden, err := s.store.ForbidHold(ctx, l.ProductID, orderID, now); err != nil || forbidden {
			return err
		}
	}
	return nil
}
