package consumer_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/events"
)

func TestHappyPathWithDuplicatesIsPaidOnce(t *testing.T) {
	h := newHarness(t)
	o := h.place("s1")
	h.expectEvents(events.TypeOrderPlaced)

	reserved := events.StockReserved{OrderID: o.ID, Lines: []events.StockLine{{ProductID: "mug", Quantity: 2}}}
	h.publish(h.catalogTopic, events.TypeStockReserved, o.ID, reserved)
	h.publish(h.catalogTopic, events.TypeStockReserved, o.ID, reserved) // redelivered
	h.settle()
	if got := h.order(o.ID); got.Status != domain.StatusAwaitingPayment || got.Version != 1 {
		t.Fatalf("after reserved twice: %s v%d", got.Status, got.Version)
	}
	req := decodeData[events.OrderPaymentRequested](t, h.expectEvents(events.TypeOrderPaymentRequested)[0])
	if req.Attempt != 1 || req.Amount.Amount != 2400 || req.PaymentMethod != "pm_card_visa" || req.ShopperID != "s1" ||
		!req.Deadline.Equal(h.clock.Now().Truncate(time.Millisecond).Add(stepTimeout)) {
		t.Fatalf("payment request %+v", req)
	}

	succeeded := events.PaymentSucceeded{OrderID: o.ID, PaymentIntentID: "pi_1", Amount: events.Money{Amount: 2400, Currency: "EUR"}, Attempt: 1}
	h.publish(h.paymentsTopic, events.TypePaymentSucceeded, o.ID, succeeded)
	h.publish(h.paymentsTopic, events.TypePaymentSucceeded, o.ID, succeeded) // duplicated
	h.publish(h.catalogTopic, events.TypeStockReserved, o.ID, reserved)      // late
	h.settle()
	got := h.order(o.ID)
	if got.Status != domain.StatusPaid || got.PaymentIntentID != "pi_1" || got.Version != 2 || !got.Deadline.IsZero() {
		t.Fatalf("after paid: %+v", got)
	}
	paid := decodeData[events.OrderPaid](t, h.expectEvents(events.TypeOrderPaid)[0])
	if paid.PaymentIntentID != "pi_1" || len(paid.Lines) != 1 || paid.Lines[0].MerchantID != "m1" {
		t.Fatalf("order.paid %+v", paid)
	}
}

func TestFailurePathsCancelWithCompensation(t *testing.T) {
	cases := []struct {
		name       string
		events     func(h *harness, id string)
		wantReason string
		wantEvents []string
	}{
		{"stock rejected", func(h *harness, id string) {
			h.publish(h.catalogTopic, events.TypeStockRejected, id, events.StockRejected{OrderID: id,
				Lines: []events.RejectedLine{{ProductID: "mug", Requested: 2, Available: 1}}})
		}, domain.ReasonOutOfStock, []string{events.TypeOrderCancelled}},
		// Each step settles before the next: the topics are handled in
		// parallel, and in the real saga a step's event is caused by the
		// previous one's handling.
		{"payment declined", func(h *harness, id string) {
			h.publish(h.catalogTopic, events.TypeStockReserved, id, events.StockReserved{OrderID: id})
			h.settle()
			h.publish(h.paymentsTopic, events.TypePaymentFailed, id, events.PaymentFailed{OrderID: id, DeclineCode: "card_declined", Attempt: 1})
		}, domain.ReasonPaymentDeclined, []string{events.TypeOrderPaymentRequested, events.TypeOrderCancelled}},
		{"hold expired", func(h *harness, id string) {
			h.publish(h.catalogTopic, events.TypeStockReserved, id, events.StockReserved{OrderID: id})
			h.settle()
			h.publish(h.paymentsTopic, events.TypePaymentRequiresAction, id, events.PaymentRequiresAction{OrderID: id, Attempt: 1})
			h.settle()
			h.publish(h.catalogTopic, events.TypeStockReleased, id, events.StockReleased{OrderID: id, Reason: events.ReleaseExpired})
		}, domain.ReasonReservationExpired, []string{events.TypeOrderPaymentRequested, events.TypeOrderCancelled}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			o := h.place("s1")
			h.expectEvents(events.TypeOrderPlaced)
			tc.events(h, o.ID)
			h.settle()
			got := h.order(o.ID)
			if got.Status != domain.StatusCancelled || got.CancelReason != tc.wantReason {
				t.Fatalf("order %s %q, want cancelled %q", got.Status, got.CancelReason, tc.wantReason)
			}
			envs := h.expectEvents(tc.wantEvents...)
			cancelled := decodeData[events.OrderCancelled](t, envs[len(envs)-1])
			if cancelled.Reason != tc.wantReason || cancelled.WasPaid || len(cancelled.Lines) != 1 {
				t.Fatalf("order.cancelled %+v", cancelled)
			}
			// Everything again, late: nothing changes.
			version := got.Version
			tc.events(h, o.ID)
			h.settle()
			if again := h.order(o.ID); again.Version != version || again.Status != domain.StatusCancelled {
				t.Fatalf("replayed events changed the order: %+v", again)
			}
		})
	}
}

func TestAPaymentAfterExpiryIsRefundedOnce(t *testing.T) {
	h := newHarness(t)
	o := h.place("s1")
	h.publish(h.catalogTopic, events.TypeStockReserved, o.ID, events.StockReserved{OrderID: o.ID})
	h.publish(h.catalogTopic, events.TypeStockReleased, o.ID, events.StockReleased{OrderID: o.ID, Reason: events.ReleaseExpired})
	// The topics are consumed in parallel: the payment comes after the
	// expiry only once the expiry was handled.
	h.settle()
	late := events.PaymentSucceeded{OrderID: o.ID, PaymentIntentID: "pi_late", Amount: events.Money{Amount: 2400, Currency: "EUR"}, Attempt: 1}
	h.publish(h.paymentsTopic, events.TypePaymentSucceeded, o.ID, late)
	h.publish(h.paymentsTopic, events.TypePaymentSucceeded, o.ID, late)
	h.settle()
	got := h.order(o.ID)
	if got.Status != domain.StatusCancelled || got.PaymentStatus != domain.PaymentRefundPending || got.Version != 3 {
		t.Fatalf("after a late payment: %+v", got)
	}
	envs := h.expectEvents(events.TypeOrderPlaced, events.TypeOrderPaymentRequested, events.TypeOrderCancelled, events.TypeOrderRefundRequested)
	refund := decodeData[events.OrderRefundRequested](t, envs[3])
	if refund.Amount.Amount != 2400 || refund.Reason != domain.ReasonReservationExpired {
		t.Fatalf("refund request %+v", refund)
	}

	h.publish(h.paymentsTopic, events.TypePaymentRefunded, o.ID, events.PaymentRefunded{OrderID: o.ID, RefundID: "re_1", Amount: refund.Amount, Full: true})
	h.settle()
	if got := h.order(o.ID); got.Status != domain.StatusCancelled || got.PaymentStatus != domain.PaymentRefunded {
		t.Fatalf("after the refund: %+v", got)
	}
	h.expectEvents(events.TypeOrderRefunded)
}

func TestUndecodableEventsAreDeadLetteredAndTheSagaGoesOn(t *testing.T) {
	h := newHarness(t)
	o := h.place("s1")
	h.raw(h.catalogTopic, []byte("not json"))
	h.raw(h.catalogTopic, []byte(`{"specversion":"1.0","id":"e1","source":"/catalog","type":"mercato.stock.reserved.v1","data":{"order_id":42}}`))
	h.publish(h.catalogTopic, events.TypeStockReserved, "", events.StockReserved{}) // names no order
	h.publish(h.catalogTopic, "mercato.stock.audited.v1", o.ID, map[string]string{"order_id": o.ID})
	h.publish(h.catalogTopic, events.TypeStockReserved, o.ID, events.StockReserved{OrderID: "unknown-order"})
	h.publish(h.catalogTopic, events.TypeStockReserved, o.ID, events.StockReserved{OrderID: o.ID})
	h.settle()
	if got := h.order(o.ID); got.Status != domain.StatusAwaitingPayment {
		t.Fatalf("order %s after the bad events", got.Status)
	}
}

func TestDeadlineSweepCancelsWaitingOrders(t *testing.T) {
	h := newHarness(t)
	pending := h.place("s1")
	waiting := h.place("s2")
	h.publish(h.catalogTopic, events.TypeStockReserved, waiting.ID, events.StockReserved{OrderID: waiting.ID})
	h.settle()
	h.expectEvents(events.TypeOrderPlaced, events.TypeOrderPlaced, events.TypeOrderPaymentRequested)

	ctx := context.Background()
	if n, err := h.svc.SweepDeadlines(ctx); err != nil || n != 0 {
		t.Fatalf("early sweep: %d %v", n, err)
	}
	h.clock.Advance(stepTimeout + time.Second)
	if n, err := h.svc.SweepDeadlines(ctx); err != nil || n != 2 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	for _, id := range []string{pending.ID, waiting.ID} {
		if got := h.order(id); got.Status != domain.StatusCancelled || got.CancelReason != domain.ReasonTimeout {
			t.Fatalf("order %s: %s %q", id, got.Status, got.CancelReason)
		}
	}
	h.expectEvents(events.TypeOrderCancelled, events.TypeOrderCancelled)
	if n, err := h.svc.SweepDeadlines(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
	// The payment of the timed-out order still arrives: it is refunded.
	h.publish(h.paymentsTopic, events.TypePaymentSucceeded, waiting.ID, events.PaymentSucceeded{OrderID: waiting.ID, Attempt: 1})
	h.settle()
	if got := h.order(waiting.ID); got.PaymentStatus != domain.PaymentRefundPending {
		t.Fatalf("late payment after timeout: %+v", got)
	}
	if refund := decodeData[events.OrderRefundRequested](t, h.expectEvents(events.TypeOrderRefundRequested)[0]); refund.Amount.Amount != 2400 {
		t.Fatalf("refund %+v", refund)
	}
}
