package domain_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

var (
	t0       = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	later    = t0.Add(time.Minute)
	deadline = t0.Add(10 * time.Minute)
)

// order returns a two-merchant order in status with payment state ps.
func order(status domain.Status, ps domain.PaymentStatus) domain.Order {
	o := domain.Order{
		ID: "o1", ShopperID: "s1", Status: status, PaymentStatus: ps,
		Lines: []domain.Line{
			{ProductID: "p1", MerchantID: "m1", Name: "Mug", UnitPrice: domain.Money{Amount: 1200, Currency: "EUR"}, Quantity: 2},
			{ProductID: "p2", MerchantID: "m2", Name: "Tea", UnitPrice: domain.Money{Amount: 500, Currency: "EUR"}, Quantity: 1},
		},
		Total: domain.Money{Amount: 2900, Currency: "EUR"}, CreatedAt: t0, UpdatedAt: t0,
	}
	if status.Waiting() {
		o.Deadline = deadline
	}
	if ps != domain.PaymentNotStarted {
		o.PaymentAttempt = 1
	}
	return o
}

type want struct {
	changed bool
	status  domain.Status
	reason  string
	payment domain.PaymentStatus
	events  []domain.EventKind
}

func kinds(events []domain.Event) []domain.EventKind {
	var out []domain.EventKind
	for _, e := range events {
		out = append(out, e.Kind)
	}
	return out
}

func check(t *testing.T, before domain.Order, got domain.Outcome, w want) {
	t.Helper()
	if got.Changed != w.changed {
		t.Fatalf("changed = %v, want %v", got.Changed, w.changed)
	}
	if !w.changed {
		if got.Order.Status != before.Status || got.Order.PaymentStatus != before.PaymentStatus || len(got.Events) != 0 {
			t.Fatalf("a no-op changed the order: %+v, events %v", got.Order, got.Events)
		}
		return
	}
	o := got.Order
	if o.Status != w.status || o.CancelReason != w.reason || o.PaymentStatus != w.payment {
		t.Fatalf("got status %s reason %q payment %s; want %s %q %s", o.Status, o.CancelReason, o.PaymentStatus, w.status, w.reason, w.payment)
	}
	if !slices.Equal(kinds(got.Events), w.events) {
		t.Fatalf("events %v, want %v", kinds(got.Events), w.events)
	}
	if o.Status.Waiting() == o.Deadline.IsZero() {
		t.Fatalf("status %s with deadline %v: waiting states need one, others none", o.Status, o.Deadline)
	}
}

func TestSagaTransitions(t *testing.T) {
	cancelledUnpaid := order(domain.StatusCancelled, domain.PaymentPending)
	cancelledUnpaid.CancelReason = domain.ReasonReservationExpired
	paidThenCancelled := order(domain.StatusCancelled, domain.PaymentRefundPending)
	paidThenCancelled.CancelReason = domain.ReasonShopperCancelled
	paidThenCancelled.CancelledWhilePaid = true
	latePaymentRefunding := cancelledUnpaid
	latePaymentRefunding.PaymentStatus = domain.PaymentRefundPending
	eur := domain.Money{Amount: 2900, Currency: "EUR"}

	cases := []struct {
		name  string
		start domain.Order
		apply func(domain.Order) domain.Outcome
		want  want
	}{
		// Forward path.
		{"reserved: pending → awaiting_payment", order(domain.StatusPending, domain.PaymentNotStarted),
			func(o domain.Order) domain.Outcome { return o.StockReserved(later, deadline) },
			want{true, domain.StatusAwaitingPayment, "", domain.PaymentPending, []domain.EventKind{domain.EventPaymentRequested}}},
		{"succeeded: awaiting_payment → paid", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.PaymentSucceeded(1, "pi_1", eur, later) },
			want{true, domain.StatusPaid, "", domain.PaymentSucceeded, []domain.EventKind{domain.EventPaid}}},
		{"succeeded after requires_action → paid", order(domain.StatusAwaitingPayment, domain.PaymentRequiresAction),
			func(o domain.Order) domain.Outcome { return o.PaymentSucceeded(1, "pi_1", eur, later) },
			want{true, domain.StatusPaid, "", domain.PaymentSucceeded, []domain.EventKind{domain.EventPaid}}},
		{"requires_action is recorded, order keeps waiting", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.PaymentRequiresAction(1, later) },
			want{true, domain.StatusAwaitingPayment, "", domain.PaymentRequiresAction, nil}},

		// Failure paths with compensation.
		{"rejected: pending → cancelled out_of_stock", order(domain.StatusPending, domain.PaymentNotStarted),
			func(o domain.Order) domain.Outcome { return o.StockRejected(later) },
			want{true, domain.StatusCancelled, domain.ReasonOutOfStock, domain.PaymentNotStarted, []domain.EventKind{domain.EventCancelled}}},
		{"failed: awaiting_payment → cancelled payment_declined", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.PaymentFailed(1, later) },
			want{true, domain.StatusCancelled, domain.ReasonPaymentDeclined, domain.PaymentFailed, []domain.EventKind{domain.EventCancelled}}},
		{"hold expired: awaiting_payment → cancelled reservation_expired", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.StockReleased(true, later) },
			want{true, domain.StatusCancelled, domain.ReasonReservationExpired, domain.PaymentPending, []domain.EventKind{domain.EventCancelled}}},
		{"deadline: pending → cancelled timeout", order(domain.StatusPending, domain.PaymentNotStarted),
			func(o domain.Order) domain.Outcome { return o.DeadlinePassed(deadline) },
			want{true, domain.StatusCancelled, domain.ReasonTimeout, domain.PaymentNotStarted, []domain.EventKind{domain.EventCancelled}}},
		{"deadline: awaiting_payment → cancelled timeout", order(domain.StatusAwaitingPayment, domain.PaymentRequiresAction),
			func(o domain.Order) domain.Outcome { return o.DeadlinePassed(deadline.Add(time.Second)) },
			want{true, domain.StatusCancelled, domain.ReasonTimeout, domain.PaymentRequiresAction, []domain.EventKind{domain.EventCancelled}}},
		{"late payment on a cancelled order is refunded", cancelledUnpaid,
			func(o domain.Order) domain.Outcome { return o.PaymentSucceeded(1, "pi_1", eur, later) },
			want{true, domain.StatusCancelled, domain.ReasonReservationExpired, domain.PaymentRefundPending, []domain.EventKind{domain.EventRefundRequested}}},
		{"refund of a paid, cancelled order → refunded", paidThenCancelled,
			func(o domain.Order) domain.Outcome { return o.PaymentRefunded(eur, later) },
			want{true, domain.StatusRefunded, domain.ReasonShopperCancelled, domain.PaymentRefunded, []domain.EventKind{domain.EventRefunded}}},
		{"refund of a late payment is recorded, order stays cancelled", latePaymentRefunding,
			func(o domain.Order) domain.Outcome { return o.PaymentRefunded(eur, later) },
			want{true, domain.StatusCancelled, domain.ReasonReservationExpired, domain.PaymentRefunded, []domain.EventKind{domain.EventRefunded}}},

		// Duplicated, redelivered, late or misattributed events: no-ops.
		{"reserved again while awaiting payment", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.StockReserved(later, deadline) }, want{}},
		{"reserved after a cancel", cancelledUnpaid,
			func(o domain.Order) domain.Outcome { return o.StockReserved(later, deadline) }, want{}},
		{"rejected after reserved", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.StockRejected(later) }, want{}},
		{"rejected again", func() domain.Order {
			o := order(domain.StatusCancelled, domain.PaymentNotStarted)
			o.CancelReason = domain.ReasonOutOfStock
			return o
		}(), func(o domain.Order) domain.Outcome { return o.StockRejected(later) }, want{}},
		{"released because cancelled", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.StockReleased(false, later) }, want{}},
		{"expired after paid", order(domain.StatusPaid, domain.PaymentSucceeded),
			func(o domain.Order) domain.Outcome { return o.StockReleased(true, later) }, want{}},
		{"succeeded again after paid", order(domain.StatusPaid, domain.PaymentSucceeded),
			func(o domain.Order) domain.Outcome { return o.PaymentSucceeded(1, "pi_1", eur, later) }, want{}},
		{"succeeded for another attempt", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.PaymentSucceeded(2, "pi_2", eur, later) }, want{}},
		{"succeeded before the stock was reserved", order(domain.StatusPending, domain.PaymentNotStarted),
			func(o domain.Order) domain.Outcome { return o.PaymentSucceeded(1, "pi_1", eur, later) }, want{}},
		{"late payment again while its refund is pending", latePaymentRefunding,
			func(o domain.Order) domain.Outcome { return o.PaymentSucceeded(1, "pi_1", eur, later) }, want{}},
		{"succeeded again after a shopper's cancel of a paid order", paidThenCancelled,
			func(o domain.Order) domain.Outcome { return o.PaymentSucceeded(1, "pi_1", eur, later) }, want{}},
		{"failed after paid", order(domain.StatusPaid, domain.PaymentSucceeded),
			func(o domain.Order) domain.Outcome { return o.PaymentFailed(1, later) }, want{}},
		{"failed for another attempt", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.PaymentFailed(2, later) }, want{}},
		{"failed again after cancelled", cancelledUnpaid,
			func(o domain.Order) domain.Outcome { return o.PaymentFailed(1, later) }, want{}},
		{"requires_action again", order(domain.StatusAwaitingPayment, domain.PaymentRequiresAction),
			func(o domain.Order) domain.Outcome { return o.PaymentRequiresAction(1, later) }, want{}},
		{"requires_action after paid", order(domain.StatusPaid, domain.PaymentSucceeded),
			func(o domain.Order) domain.Outcome { return o.PaymentRequiresAction(1, later) }, want{}},
		{"refunded again", func() domain.Order {
			o := paidThenCancelled
			o.Status, o.PaymentStatus = domain.StatusRefunded, domain.PaymentRefunded
			return o
		}(), func(o domain.Order) domain.Outcome { return o.PaymentRefunded(eur, later) }, want{}},
		{"refunded without a refund requested", order(domain.StatusPaid, domain.PaymentSucceeded),
			func(o domain.Order) domain.Outcome { return o.PaymentRefunded(eur, later) }, want{}},
		{"deadline not reached yet", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			func(o domain.Order) domain.Outcome { return o.DeadlinePassed(deadline.Add(-time.Second)) }, want{}},
		{"deadline of a paid order", order(domain.StatusPaid, domain.PaymentSucceeded),
			func(o domain.Order) domain.Outcome { return o.DeadlinePassed(deadline.Add(time.Hour)) }, want{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.apply(tc.start)
			check(t, tc.start, got, tc.want)
			if got.Changed {
				// The same event again, on the new state, is a no-op.
				again := tc.apply(got.Order)
				check(t, got.Order, again, want{})
			}
		})
	}
}

func TestEveryPathEndsInATerminalState(t *testing.T) {
	// Walk the happy path and check attempts and deadlines along it.
	o := order(domain.StatusPending, domain.PaymentNotStarted)
	o = o.StockReserved(later, deadline).Order
	if o.PaymentAttempt != 1 || !o.Deadline.Equal(deadline) {
		t.Fatalf("after reserved: attempt %d deadline %v", o.PaymentAttempt, o.Deadline)
	}
	o = o.PaymentSucceeded(1, "pi_1", domain.Money{}, later).Order
	if o.Status != domain.StatusPaid || o.PaymentIntentID != "pi_1" || !o.Deadline.IsZero() {
		t.Fatalf("after succeeded: %+v", o)
	}
}

func TestShopperCancel(t *testing.T) {
	cases := []struct {
		name    string
		start   domain.Order
		want    want
		wantErr error
	}{
		{"pending", order(domain.StatusPending, domain.PaymentNotStarted),
			want{true, domain.StatusCancelled, domain.ReasonShopperCancelled, domain.PaymentNotStarted, []domain.EventKind{domain.EventCancelled}}, nil},
		{"awaiting payment", order(domain.StatusAwaitingPayment, domain.PaymentPending),
			want{true, domain.StatusCancelled, domain.ReasonShopperCancelled, domain.PaymentPending, []domain.EventKind{domain.EventCancelled}}, nil},
		{"paid: units back and a refund", order(domain.StatusPaid, domain.PaymentSucceeded),
			want{true, domain.StatusCancelled, domain.ReasonShopperCancelled, domain.PaymentRefundPending,
				[]domain.EventKind{domain.EventCancelled, domain.EventRefundRequested}}, nil},
		{"already cancelled", func() domain.Order {
			o := order(domain.StatusCancelled, domain.PaymentNotStarted)
			o.CancelReason = domain.ReasonOutOfStock
			return o
		}(), want{}, nil},
		{"shipped", order(domain.StatusShipped, domain.PaymentSucceeded), want{}, apperr.ErrConflict},
		{"partly shipped", func() domain.Order {
			o := order(domain.StatusPaid, domain.PaymentSucceeded)
			o.Lines[0].ShippedAt = t0
			return o
		}(), want{}, apperr.ErrConflict},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.start.CancelByShopper(later)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			check(t, tc.start, got, tc.want)
			if got.Changed {
				again, err := got.Order.CancelByShopper(later)
				if err != nil || again.Changed {
					t.Fatalf("second cancel: %v, changed %v", err, again.Changed)
				}
			}
		})
	}
	paid := order(domain.StatusPaid, domain.PaymentSucceeded)
	out, _ := paid.CancelByShopper(later)
	if !out.Events[0].WasPaid || out.Events[1].Amount != paid.Total || !out.Order.CancelledWhilePaid {
		t.Fatalf("cancel of a paid order: events %+v, order %+v", out.Events, out.Order)
	}
}

func TestShipEachMerchantsLines(t *testing.T) {
	o := order(domain.StatusPaid, domain.PaymentSucceeded)
	first, err := o.Ship("m1", later)
	if err != nil || !first.Changed || first.Order.Status != domain.StatusPaid {
		t.Fatalf("first merchant: %v, %+v", err, first)
	}
	if first.Order.Lines[0].ShippedAt.IsZero() || !first.Order.Lines[1].ShippedAt.IsZero() || !o.Lines[0].ShippedAt.IsZero() {
		t.Fatal("shipping marked the wrong lines or mutated the original order")
	}
	if ev := first.Events; len(ev) != 1 || ev[0].Kind != domain.EventShipped || ev[0].MerchantID != "m1" {
		t.Fatalf("events %+v", ev)
	}
	again, err := first.Order.Ship("m1", later)
	if err != nil || again.Changed {
		t.Fatalf("shipping twice: %v, changed %v", err, again.Changed)
	}
	second, err := first.Order.Ship("m2", later)
	if err != nil || second.Order.Status != domain.StatusShipped || !second.Order.Complete() {
		t.Fatalf("second merchant: %v, %+v", err, second.Order)
	}
	if _, err := o.Ship("m3", later); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("stranger merchant: %v, want not found", err)
	}
	if _, err := order(domain.StatusAwaitingPayment, domain.PaymentPending).Ship("m1", later); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("unpaid: %v, want conflict", err)
	}
}
