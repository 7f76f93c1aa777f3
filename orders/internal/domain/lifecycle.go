package domain

import (
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// CancelByShopper cancels the order at its shopper's request, before
// shipment. An unpaid order is cancelled (its held units are released; a
// payment still in flight is refunded when it arrives). A paid order is
// cancelled with its units returned to stock and its charge refunded; it
// ends refunded once the refund went through. Cancelling a cancelled or
// refunded order changes nothing; a shipped order cannot be cancelled.
func (o Order) CancelByShopper(now time.Time) (Outcome, error) {
	switch o.Status {
	case StatusPending, StatusAwaitingPayment:
		return o.cancel(ReasonShopperCancelled, now), nil
	case StatusPaid:
		for _, l := range o.Lines {
			if !l.ShippedAt.IsZero() {
				return Outcome{}, fmt.Errorf("%w: order %s is partly shipped and can no longer be cancelled", apperr.ErrConflict, o.ID)
			}
		}
		out := o.cancel(ReasonShopperCancelled, now)
		out.Order.CancelledWhilePaid = true
		out.Order.PaymentStatus = PaymentRefundPending
		out.Events = []Event{
			{Kind: EventCancelled, WasPaid: true},
			{Kind: EventRefundRequested, Amount: o.Total, Reason: ReasonShopperCancelled},
		}
		return out, nil
	case StatusCancelled, StatusRefunded:
		return unchanged(o), nil
	default:
		return Outcome{}, fmt.Errorf("%w: order %s is %s and can no longer be cancelled", apperr.ErrConflict, o.ID, o.Status)
	}
}

// Ship marks merchantID's lines of a paid order shipped; the order is
// shipped once every line is. Shipping lines already shipped changes
// nothing. A merchant without lines in the order gets ErrNotFound (the
// order is not theirs to see).
func (o Order) Ship(merchantID string, now time.Time) (Outcome, error) {
	if len(o.LinesOf(merchantID)) == 0 {
		return Outcome{}, fmt.Errorf("%w: order %s", apperr.ErrNotFound, o.ID)
	}
	if o.Status == StatusShipped {
		return unchanged(o), nil
	}
	if o.Status != StatusPaid {
		return Outcome{}, fmt.Errorf("%w: order %s is %s; only paid orders ship", apperr.ErrConflict, o.ID, o.Status)
	}
	lines := make([]Line, len(o.Lines))
	copy(lines, o.Lines)
	shippedNow, complete := false, true
	for i := range lines {
		if lines[i].MerchantID == merchantID && lines[i].ShippedAt.IsZero() {
			lines[i].ShippedAt = now
			shippedNow = true
		}
		if lines[i].ShippedAt.IsZero() {
			complete = false
		}
	}
	if !shippedNow {
		return unchanged(o), nil
	}
	o.Lines = lines
	if complete {
		o.Status = StatusShipped
	}
	o.UpdatedAt = now
	return changed(o, Event{Kind: EventShipped, MerchantID: merchantID}), nil
}

// Complete tells whether every line has shipped.
func (o Order) Complete() bool {
	for _, l := range o.Lines {
		if l.ShippedAt.IsZero() {
			return false
		}
	}
	return len(o.Lines) > 0
}
