package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
)

// ErrInvalidOrderID is returned for an order id that cannot key holds; the
// event can never be processed.
var ErrInvalidOrderID = fmt.Errorf("%w: invalid order id", apperr.ErrValidation)

// Reserve holds every line of orderID or none (DESIGN §4), and records
// the outcome with stock.reserved or stock.rejected. It is idempotent: an
// order with a recorded outcome is left alone (even if its units were
// released or sold since), and a line this order already holds, from a run
// cut short, counts as reserved.
func (s *Service) Reserve(ctx context.Context, orderID string, lines []domain.Line) error {
	if !domain.ValidOrderID(orderID) {
		return fmt.Errorf("reserve %q: %w", orderID, ErrInvalidOrderID)
	}
	if _, err := s.store.Reservation(ctx, orderID); err == nil {
		return nil // outcome already recorded
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	now := s.now()
	r := domain.Reservation{OrderID: orderID, ExpiresAt: now.Add(s.holdTTL), CreatedAt: now, UpdatedAt: now}
	merged, err := domain.MergeLines(lines)
	if err != nil {
		s.log.WarnContext(ctx, "rejecting an order with invalid lines", "order_id", orderID, "error", err.Error())
		r.Lines = lines
		for _, l := range lines {
			r.Rejected = append(r.Rejected, domain.RejectedLine{ProductID: l.ProductID, Requested: l.Quantity})
		}
		return s.recordRejected(ctx, r)
	}
	r.Lines = merged

	var held []domain.Line
	for i, l := range merged {
		got, rejected, err := s.holdLine(ctx, orderID, l, r.ExpiresAt, now)
		if err != nil {
			return err
		}
		if rejected == nil {
			held = append(held, got)
			continue
		}
		r.Rejected = append(r.Rejected, *rejected)
		// Tell about the other lines without holding more units.
		for _, rest := range merged[i+1:] {
			if missing, err := s.checkLine(ctx, rest); err != nil {
				return err
			} else if missing != nil {
				r.Rejected = append(r.Rejected, *missing)
			}
		}
		break
	}
	if len(r.Rejected) == 0 {
		r.State = domain.StateReserved
		entry, err := stockEvent(ctx, events.TypeStockReserved, orderID, events.StockReserved{OrderID: orderID, Lines: stockLines(r.Lines), ExpiresAt: r.ExpiresAt})
		if err != nil {
			return err
		}
		return ignoreConflict(s.store.InsertReservation(ctx, r, entry))
	}
	// All or none: give back what this run (or an earlier one) held.
	for _, l := range held {
		p, ok, err := s.store.Unhold(ctx, l.ProductID, orderID, l.Quantity, now)
		if err != nil {
			return err
		}
		if ok {
			s.model.Apply(p)
		}
	}
	return s.recordRejected(ctx, r)
}

// holdLine holds one line. It returns the line as held (a hold found from
// an earlier run counts, with its quantity), or the rejection.
func (s *Service) holdLine(ctx context.Context, orderID string, l domain.Line, expiresAt, now time.Time) (domain.Line, *domain.RejectedLine, error) {
	p, ok, err := s.store.Hold(ctx, l.ProductID, orderID, l.Quantity, expiresAt, now)
	if err != nil {
		return l, nil, err
	}
	if ok {
		s.model.Apply(p)
		return l, nil, nil
	}
	current, heldQty, err := s.store.Product(ctx, l.ProductID, orderID)
	if errors.Is(err, apperr.ErrNotFound) {
		return l, &domain.RejectedLine{ProductID: l.ProductID, Requested: l.Quantity}, nil
	}
	if err != nil {
		return l, nil, err
	}
	if heldQty > 0 {
		return domain.Line{ProductID: l.ProductID, Quantity: heldQty}, nil, nil
	}
	return l, &domain.RejectedLine{ProductID: l.ProductID, Requested: l.Quantity, Available: reservable(current)}, nil
}

// checkLine tells whether a line could be held now, without holding it.
func (s *Service) checkLine(ctx context.Context, l domain.Line) (*domain.RejectedLine, error) {
	p, _, err := s.store.Product(ctx, l.ProductID, "")
	if errors.Is(err, apperr.ErrNotFound) {
		return &domain.RejectedLine{ProductID: l.ProductID, Requested: l.Quantity}, nil
	}
	if err != nil {
		return nil, err
	}
	if available := reservable(p); available < l.Quantity {
		return &domain.RejectedLine{ProductID: l.ProductID, Requested: l.Quantity, Available: available}, nil
	}
	return nil, nil
}

// reservable is what an order could hold of p: nothing when archived.
func reservable(p domain.Product) int64 {
	if p.Archived {
		return 0
	}
	return p.Stock.Available
}

func (s *Service) recordRejected(ctx context.Context, r domain.Reservation) error {
	r.State = domain.StateRejected
	entry, err := stockEvent(ctx, events.TypeStockRejected, r.OrderID, events.StockRejected{OrderID: r.OrderID, Lines: rejectedLines(r.Rejected)})
	if err != nil {
		return err
	}
	return ignoreConflict(s.store.InsertReservation(ctx, r, entry))
}

// ignoreConflict treats "already recorded" as done: a concurrent delivery
// of the same event recorded the outcome first.
func ignoreConflict(err error) error {
	if errors.Is(err, apperr.ErrConflict) {
		return nil
	}
	return err
}
