package usecase

import (
	"context"
	"errors"
	"fmt"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
)

// stateAttempts bounds re-reads when a reservation's state moves under a
// use case (the expiry sweeper racing an event).
const stateAttempts = 3

// Commit turns orderID's held units into sold ones (stock.committed) when
// the order is paid. An order that holds nothing any more (expired,
// released, already committed) is left alone.
func (s *Service) Commit(ctx context.Context, orderID string) error {
	for range stateAttempts {
		r, err := s.store.Reservation(ctx, orderID)
		if errors.Is(err, apperr.ErrNotFound) {
			s.log.WarnContext(ctx, "order paid without a reservation", "order_id", orderID)
			return nil
		}
		if err != nil {
			return err
		}
		switch r.State {
		case domain.StateReserved:
			claimed, err := s.store.Transition(ctx, orderID, []domain.ReservationState{domain.StateReserved}, domain.StateCommitting, "", s.now())
			if err != nil {
				return err
			}
			if !claimed {
				continue
			}
		case domain.StateCommitting:
		default:
			return nil
		}
		return s.finishCommit(ctx, r)
	}
	return fmt.Errorf("commit %s: %w: reservation keeps changing", orderID, apperr.ErrConflict)
}

func (s *Service) finishCommit(ctx context.Context, r domain.Reservation) error {
	now := s.now()
	for _, l := range r.Lines {
		p, ok, err := s.store.CommitHold(ctx, l.ProductID, r.OrderID, l.Quantity, now)
		if err != nil {
			return err
		}
		if ok {
			s.model.Apply(p)
		}
	}
	entry, err := s.stockEvent(ctx, events.TypeStockCommitted, r.OrderID, events.StockCommitted{OrderID: r.OrderID, Lines: stockLines(r.Lines)})
	if err != nil {
		return err
	}
	_, err = s.store.Transition(ctx, r.OrderID, []domain.ReservationState{domain.StateCommitting}, domain.StateCommitted, "", now, entry)
	return err
}

// Cancel gives back orderID's units when the order is cancelled: held
// units are released (stock.released, reason cancelled), sold units of a
// refunded order return to available. An order the catalog has not seen
// yet is recorded as released, so a late order.placed holds nothing.
func (s *Service) Cancel(ctx context.Context, orderID string) error {
	if !domain.ValidOrderID(orderID) {
		return fmt.Errorf("cancel %q: %w", orderID, ErrInvalidOrderID)
	}
	for range stateAttempts {
		r, err := s.store.Reservation(ctx, orderID)
		if errors.Is(err, apperr.ErrNotFound) {
			now := s.now()
			err = s.store.InsertReservation(ctx, domain.Reservation{
				OrderID: orderID, State: domain.StateReleased, ReleaseReason: events.ReleaseCancelled,
				ExpiresAt: now, CreatedAt: now, UpdatedAt: now,
			})
			if errors.Is(err, apperr.ErrConflict) {
				continue // order.placed was recorded meanwhile
			}
			return err
		}
		if err != nil {
			return err
		}
		var done bool
		switch r.State.OnCancel() {
		case domain.CancelRelease:
			done, err = s.release(ctx, r, events.ReleaseCancelled)
		case domain.CancelReturn:
			done, err = s.giveBack(ctx, r)
		default:
			return nil
		}
		if err != nil || done {
			return err
		}
	}
	return fmt.Errorf("cancel %s: %w: reservation keeps changing", orderID, apperr.ErrConflict)
}

// ExpireDue releases the holds of reservations whose time is up
// (stock.released, reason expired) and returns how many it released.
func (s *Service) ExpireDue(ctx context.Context, batch int64) (int, error) {
	due, err := s.store.DueForRelease(ctx, s.now(), batch)
	if err != nil {
		return 0, err
	}
	released := 0
	for _, r := range due {
		done, err := s.release(ctx, r, events.ReleaseExpired)
		if err != nil {
			return released, err
		}
		if done {
			released++
		}
	}
	return released, nil
}

// release claims r (reserved -> releasing; a release left unfinished keeps
// its reason), returns the held units, and records released with the
// event. done=false when r was no longer reserved.
func (s *Service) release(ctx context.Context, r domain.Reservation, reason string) (bool, error) {
	now := s.now()
	if r.State == domain.StateReserved {
		claimed, err := s.store.Transition(ctx, r.OrderID, []domain.ReservationState{domain.StateReserved}, domain.StateReleasing, reason, now)
		if err != nil || !claimed {
			return false, err
		}
	} else if r.ReleaseReason != "" {
		reason = r.ReleaseReason
	}
	for _, l := range r.Lines {
		p, ok, err := s.store.Unhold(ctx, l.ProductID, r.OrderID, l.Quantity, now)
		if err != nil {
			return false, err
		}
		if ok {
			s.model.Apply(p)
		}
	}
	entry, err := s.stockEvent(ctx, events.TypeStockReleased, r.OrderID, events.StockReleased{OrderID: r.OrderID, Reason: reason, Lines: stockLines(r.Lines)})
	if err != nil {
		return false, err
	}
	_, err = s.store.Transition(ctx, r.OrderID, []domain.ReservationState{domain.StateReleasing}, domain.StateReleased, "", now, entry)
	return err == nil, err
}

// giveBack returns a refunded order's sold units to available: claimed
// committed -> returning, each product once (its return marker), then
// returned, then the markers are cleared.
func (s *Service) giveBack(ctx context.Context, r domain.Reservation) (bool, error) {
	now := s.now()
	if r.State == domain.StateCommitted {
		claimed, err := s.store.Transition(ctx, r.OrderID, []domain.ReservationState{domain.StateCommitted}, domain.StateReturning, "", now)
		if err != nil || !claimed {
			return false, err
		}
	}
	for _, l := range r.Lines {
		p, ok, err := s.store.ReturnSold(ctx, l.ProductID, r.OrderID, l.Quantity, now)
		if err != nil {
			return false, err
		}
		if ok {
			s.model.Apply(p)
		}
	}
	entry, err := s.stockEvent(ctx, events.TypeStockReturned, r.OrderID, events.StockReturned{OrderID: r.OrderID, Lines: stockLines(r.Lines)})
	if err != nil {
		return false, err
	}
	if _, err := s.store.Transition(ctx, r.OrderID, []domain.ReservationState{domain.StateReturning}, domain.StateReturned, "", now, entry); err != nil {
		return false, err
	}
	for _, l := range r.Lines {
		if err := s.store.ClearReturnMarker(ctx, l.ProductID, r.OrderID); err != nil {
			s.log.WarnContext(ctx, "return marker left behind", "order_id", r.OrderID, "product_id", l.ProductID, "error", err.Error())
		}
	}
	return true, nil
}
