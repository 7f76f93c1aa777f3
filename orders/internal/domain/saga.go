package domain

import "time"

// The saga transitions (docs/events.md "The checkout saga"). Each takes the
// order as stored and returns the outcome; the store writes it conditionally
// on the order's status and version, so a duplicated, redelivered or late
// event that finds the order elsewhere changes nothing.

// StockReserved applies: the catalog holds every line. A pending order now waits
// for its payment (attempt 1) until deadline.
func (o Order) StockReserved(now, deadline time.Time) Outcome {
	if o.Status != StatusPending {
		return unchanged(o)
	}
	o.Status = StatusAwaitingPayment
	o.PaymentStatus = PaymentPending
	o.PaymentAttempt = 1
	o.Deadline = deadline
	o.UpdatedAt = now
	return changed(o, Event{Kind: EventPaymentRequested})
}

// StockRejected applies: the catalog could not reserve the order and holds
// nothing. The order.cancelled event still goes out so the catalog can
// clean up idempotently.
func (o Order) StockRejected(now time.Time) Outcome {
	if o.Status != StatusPending {
		return unchanged(o)
	}
	return o.cancel(ReasonOutOfStock, now)
}

// StockReleased applies: the catalog released the order's held units; only an
// expired hold of an order still waiting for its payment cancels it.
func (o Order) StockReleased(expired bool, now time.Time) Outcome {
	if !expired || o.Status != StatusAwaitingPayment {
		return unchanged(o)
	}
	return o.cancel(ReasonReservationExpired, now)
}

// PaymentSucceeded applies: the charge of attempt went through. An order waiting
// for that attempt is paid. An order cancelled in the meantime (expiry,
// timeout, shopper) is refunded, once.
func (o Order) PaymentSucceeded(attempt int, paymentIntentID string, amount Money, now time.Time) Outcome {
	switch {
	case o.Status == StatusAwaitingPayment && o.isCurrentAttempt(attempt):
		o.Status = StatusPaid
		o.PaymentStatus = PaymentSucceeded
		o.PaymentIntentID = paymentIntentID
		o.Deadline = time.Time{}
		o.UpdatedAt = now
		return changed(o, Event{Kind: EventPaid})
	case o.Status == StatusCancelled && !o.PaymentStatus.charged():
		if amount.Amount <= 0 {
			amount = o.Total
		}
		o.PaymentStatus = PaymentRefundPending
		o.PaymentIntentID = paymentIntentID
		o.UpdatedAt = now
		return changed(o, Event{Kind: EventRefundRequested, Amount: amount, Reason: o.CancelReason})
	}
	return unchanged(o)
}

// PaymentFailed applies: the charge of attempt was declined.
func (o Order) PaymentFailed(attempt int, now time.Time) Outcome {
	if o.Status != StatusAwaitingPayment || !o.isCurrentAttempt(attempt) {
		return unchanged(o)
	}
	o.PaymentStatus = PaymentFailed
	return o.cancel(ReasonPaymentDeclined, now)
}

// PaymentRequiresAction applies: the shopper must authenticate the charge; the
// order keeps waiting, bounded by its deadline.
func (o Order) PaymentRequiresAction(attempt int, now time.Time) Outcome {
	if o.Status != StatusAwaitingPayment || !o.isCurrentAttempt(attempt) || o.PaymentStatus != PaymentPending {
		return unchanged(o)
	}
	o.PaymentStatus = PaymentRequiresAction
	o.UpdatedAt = now
	return changed(o)
}

// PaymentRefunded applies: a requested refund went through. An order cancelled
// after it was paid ends refunded; an order cancelled before its late
// payment arrived stays cancelled and records the refund.
func (o Order) PaymentRefunded(amount Money, now time.Time) Outcome {
	if o.PaymentStatus != PaymentRefundPending {
		return unchanged(o)
	}
	if amount.Amount <= 0 {
		amount = o.Total
	}
	o.PaymentStatus = PaymentRefunded
	if o.CancelledWhilePaid {
		o.Status = StatusRefunded
	}
	o.UpdatedAt = now
	return changed(o, Event{Kind: EventRefunded, Amount: amount})
}

// DeadlinePassed cancels a waiting order whose deadline is over (reason
// timeout). The order.cancelled event releases held stock; a payment that
// still arrives is refunded by PaymentSucceeded.
func (o Order) DeadlinePassed(now time.Time) Outcome {
	if !o.Status.Waiting() || o.Deadline.IsZero() || now.Before(o.Deadline) {
		return unchanged(o)
	}
	return o.cancel(ReasonTimeout, now)
}

// isCurrentAttempt attributes a payment event to the order's current
// attempt; an event without an attempt number counts as the current one.
func (o Order) isCurrentAttempt(attempt int) bool {
	return attempt == 0 || attempt == o.PaymentAttempt
}

// cancel moves an unpaid order to cancelled with reason and emits
// order.cancelled so the catalog releases whatever it holds.
func (o Order) cancel(reason string, now time.Time) Outcome {
	o.Status = StatusCancelled
	o.CancelReason = reason
	o.Deadline = time.Time{}
	o.UpdatedAt = now
	return changed(o, Event{Kind: EventCancelled})
}
