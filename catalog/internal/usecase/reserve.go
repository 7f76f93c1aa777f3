package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
)

// ErrInvalidOrderID is returned for an order id that cannot key holds; the
// event can never be processed.
var ErrInvalidOrderID = fmt.Errorf("%w: invalid order id", apperr.ErrValidation)

// Reserve holds every line of orderID or none (docs/events.md "The checkout saga"), and records
// the outcome with stock.reserved or stock.rejected. It is idempotent and
// safe when several runs of the same order.placed overlap (a Kafka
// rebalance, a redelivery after a crash):
//
//   - a line counts as reserved when it is held now, by this run or another;
//     a line whose hold ended (a tombstone) fails, and can never be held
//     again for the order;
//   - the outcome is recorded before anything is rolled back, first writer
//     wins, and every run then settles the holds by the recorded outcome:
//     when it is not reserved, it ends every line's hold and tombstones
//     the lines nobody held (rollback), so no hold survives for the order;
//   - an order with a recorded outcome is left alone (even if its units were
//     released or sold since), except that a rejected or released one is
//     rolled back again, to finish a run that crashed half-way.
func (s *Service) Reserve(ctx context.Context, orderID string, lines []domain.Line) error {
	if !domain.ValidOrderID(orderID) {
		return fmt.Errorf("reserve %q: %w", orderID, ErrInvalidOrderID)
	}
	merged, invalid := domain.MergeLines(lines)
	if recorded, err := s.store.Reservation(ctx, orderID); err == nil {
		return s.settle(ctx, orderID, recorded.State, merged)
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	now := s.now()
	r := domain.Reservation{OrderID: orderID, ExpiresAt: now.Add(s.holdTTL), CreatedAt: now, UpdatedAt: now}
	if invalid != nil {
		// No run holds anything for invalid lines: nothing to settle.
		s.log.WarnContext(ctx, "rejecting an order with invalid lines", "order_id", orderID, "error", invalid.Error())
		r.Lines = lines
		for _, l := range lines {
			r.Rejected = append(r.Rejected, domain.RejectedLine{ProductID: l.ProductID, Requested: l.Quantity})
		}
		return ignoreConflict(s.recordRejected(ctx, r))
	}
	r.Lines = merged
	if err := s.holdAll(ctx, &r, now); err != nil {
		return err
	}
	if len(r.Rejected) == 0 {
		r.State = domain.StateReserved
		entry, err := s.stockEvent(ctx, events.TypeStockReserved, orderID, events.StockReserved{OrderID: orderID, Lines: stockLines(r.Lines), ExpiresAt: r.ExpiresAt})
		if err != nil {
			return err
		}
		err = s.store.InsertReservation(ctx, r, entry)
		observeReservation(r.State, err)
		return s.settleRecorded(ctx, r, err)
	}
	r.State = domain.StateRejected
	err := s.recordRejected(ctx, r)
	observeReservation(r.State, err)
	return s.settleRecorded(ctx, r, err)
}

// holdAll holds r's lines in order until one fails; that one and any
// later ones that could not be held now go to r.Rejected.
func (s *Service) holdAll(ctx context.Context, r *domain.Reservation, now time.Time) error {
	for i, l := range r.Lines {
		rejected, err := s.holdLine(ctx, r.OrderID, l, r.ExpiresAt, now)
		if err != nil {
			return err
		}
		if rejected == nil {
			continue
		}
		r.Rejected = append(r.Rejected, *rejected)
		// Tell about the other lines without holding more units.
		for _, rest := range r.Lines[i+1:] {
			if missing, err := s.checkLine(ctx, rest); err != nil {
				return err
			} else if missing != nil {
				r.Rejected = append(r.Rejected, *missing)
			}
		}
		return nil
	}
	return nil
}

// holdLine holds one line, or finds it held live for the order by an
// earlier or concurrent run (with the same quantity: lines are merged the
// same way every time). It returns the rejection when neither, a
// tombstone included.
func (s *Service) holdLine(ctx context.Context, orderID string, l domain.Line, expiresAt, now time.Time) (*domain.RejectedLine, error) {
	p, ok, err := s.store.Hold(ctx, l.ProductID, orderID, l.Quantity, expiresAt, now)
	if err != nil {
		return nil, err
	}
	if ok && p.IsVariant() {
		return s.keepVariantHold(ctx, orderID, l, p, now)
	}
	if ok {
		s.model.Apply(p)
		return nil, nil
	}
	current, heldQty, err := s.store.Product(ctx, l.ProductID, orderID)
	if errors.Is(err, apperr.ErrNotFound) {
		return &domain.RejectedLine{ProductID: l.ProductID, Requested: l.Quantity}, nil
	}
	if err != nil {
		return nil, err
	}
	if heldQty == l.Quantity {
		return nil, nil
	}
	return &domain.RejectedLine{ProductID: l.ProductID, Requested: l.Quantity, Available: reservable(current)}, nil
}

// keepVariantHold keeps the hold just taken on variant v if its parent
// lists it, and otherwise gives it back and rejects the line: a variant
// left behind by a write that crashed before its parent listed it (a
// creation or an added variant) is never sold. The read model answers
// when its parent lists v; otherwise the store, which has the latest
// parent, is asked.
func (s *Service) keepVariantHold(ctx context.Context, orderID string, l domain.Line, v domain.Product, now time.Time) (*domain.RejectedLine, error) {
	if parent, known := s.model.Get(v.VariantOf); known && slices.Contains(parent.VariantIDs, v.ID) {
		s.model.Apply(v)
		return nil, nil
	}
	parent, _, err := s.store.Product(ctx, v.VariantOf, "")
	if err == nil && slices.Contains(parent.VariantIDs, v.ID) {
		s.model.Apply(v)
		return nil, nil
	}
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	s.log.WarnContext(ctx, "order of a variant its product does not list", "order_id", orderID, "product_id", l.ProductID, "variant_of", v.VariantOf)
	released, ok, err := s.store.Unhold(ctx, l.ProductID, orderID, l.Quantity, now)
	if err != nil {
		return nil, err
	}
	if ok {
		s.model.Apply(released)
	}
	return &domain.RejectedLine{ProductID: l.ProductID, Requested: l.Quantity}, nil
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

// recordRejected records r as rejected with stock.rejected;
// apperr.ErrConflict when the order's outcome is already recorded.
func (s *Service) recordRejected(ctx context.Context, r domain.Reservation) error {
	r.State = domain.StateRejected
	entry, err := s.stockEvent(ctx, events.TypeStockRejected, r.OrderID, events.StockRejected{OrderID: r.OrderID, Lines: rejectedLines(r.Rejected)})
	if err != nil {
		return err
	}
	return s.store.InsertReservation(ctx, r, entry)
}

// ignoreConflict treats "already recorded" as done: a concurrent delivery
// of the same event recorded the outcome first.
func ignoreConflict(err error) error {
	if errors.Is(err, apperr.ErrConflict) {
		return nil
	}
	return err
}
