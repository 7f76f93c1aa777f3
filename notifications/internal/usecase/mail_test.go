package usecase_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/testenv"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/testkit/mailsink"
)

func TestAPaidOrderEmailsTheShopperAndEachMerchantExactlyOnce(t *testing.T) {
	w := newWorld(t)
	order := w.place(t)
	paid := w.paid(t, order)
	w.publish(paid, paid) // a redelivery: the same event id again
	for _, r := range []string{w.shopper, domain.MerchantRecipient(w.merchants[0]), domain.MerchantRecipient(w.merchants[1])} {
		kind := domain.KindMerchantNewOrder
		if r == w.shopper {
			kind = domain.KindOrderConfirmed
		}
		if n := settled(t, w.env.Store, paid.ID, r, kind); n.Status != domain.StatusSent {
			t.Fatalf("%s to %s: %s %s", kind, r, n.Status, n.LastError)
		}
	}
	w.publish(paid) // and once more after everything was sent
	queueEmpty(t, w.env.Store)

	shopperMail := withSubject(mailTo(t, w.env.Sink, w.shopper+"@shop.test"), "confirmed")
	if len(shopperMail) != 1 {
		t.Fatalf("%d confirmations to the shopper, want 1", len(shopperMail))
	}
	c := shopperMail[0]
	if c.Subject != "Lamp Works & Mug Co: order "+order+" confirmed" {
		t.Errorf("subject %q", c.Subject)
	}
	for _, want := range []string{"2 × Desk Lamp (Lamp Works)", "1 × Ceramic Mug (Mug Co)", "Total: €59.00", "1 Main St", "Hello Ada Shopper"} {
		if !strings.Contains(c.Text, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, c.Text)
		}
	}
	lamp := withSubject(mailTo(t, w.env.Sink, w.merchants[0]+"@shop.test"), "new paid order")
	mug := withSubject(mailTo(t, w.env.Sink, w.merchants[1]+"@shop.test"), "new paid order")
	if len(lamp) != 1 || len(mug) != 1 {
		t.Fatalf("merchant emails: %d and %d, want 1 each", len(lamp), len(mug))
	}
	if !strings.HasPrefix(lamp[0].Subject, "Lamp Works:") || !strings.Contains(lamp[0].Text, "Your total: €50.00") ||
		strings.Contains(lamp[0].Text, "Mug") {
		t.Errorf("the lamp merchant's email must hold its own line only:\n%s\n%s", lamp[0].Subject, lamp[0].Text)
	}
	if !strings.Contains(mug[0].Text, "Your total: €9.00") || strings.Contains(mug[0].Text, "Lamp") {
		t.Errorf("the mug merchant's email must hold its own line only:\n%s", mug[0].Text)
	}
	if welcome := withSubject(mailTo(t, w.env.Sink, w.shopper+"@shop.test"), "Welcome"); len(welcome) != 1 {
		t.Errorf("%d welcome emails, want 1", len(welcome))
	}
}

func TestTemporaryFailuresAreRetriedAndPermanentOnesRecordedAndReplayable(t *testing.T) {
	w := newWorld(t)
	w.welcomed(t)

	w.env.Sink.FailNext(2, 451, "mailbox busy")
	order := w.place(t)
	paid := w.paid(t, order)
	w.publish(paid)
	// Three emails (shopper, two merchants) and two 451 replies among them.
	attempts := 0
	for _, r := range []struct {
		id   string
		kind domain.Kind
	}{{w.shopper, domain.KindOrderConfirmed}, {domain.MerchantRecipient(w.merchants[0]), domain.KindMerchantNewOrder},
		{domain.MerchantRecipient(w.merchants[1]), domain.KindMerchantNewOrder}} {
		n := settled(t, w.env.Store, paid.ID, r.id, r.kind)
		if n.Status != domain.StatusSent {
			t.Errorf("after 451s: %s to %s is %s (%s), want sent after retries", r.kind, r.id, n.Status, n.LastError)
		}
		attempts += n.Attempts
	}
	if attempts != 5 {
		t.Errorf("%d attempts for 3 emails and 2 temporary failures, want 5", attempts)
	}
	if got := withSubject(mailTo(t, w.env.Sink, w.shopper+"@shop.test"), "confirmed"); len(got) != 1 {
		t.Errorf("%d confirmations, want 1", len(got))
	}
	queueEmpty(t, w.env.Store)

	w.env.Sink.FailNext(1, 550, "no such user")
	shipped := testenv.Event(t, events.SourceOrders, events.TypeOrderShipped, order, events.OrderShipped{
		OrderID: order, MerchantID: w.merchants[0], Lines: w.lines()[:1]})
	w.publish(shipped)
	n := settled(t, w.env.Store, shipped.ID, w.shopper, domain.KindOrderShipped)
	if n.Status != domain.StatusFailed || n.Attempts != 1 || !strings.Contains(n.LastError, "550") {
		t.Fatalf("after a 550: %s after %d attempts (%q), want failed at once", n.Status, n.Attempts, n.LastError)
	}
	if got := withSubject(mailTo(t, w.env.Sink, w.shopper+"@shop.test"), "shipped"); len(got) != 0 {
		t.Fatalf("%d shipped emails after a refusal", len(got))
	}
	if _, err := w.env.Svc.Replay(context.Background(), n.ID); err != nil {
		t.Fatal(err)
	}
	n = settled(t, w.env.Store, shipped.ID, w.shopper, domain.KindOrderShipped)
	if n.Status != domain.StatusSent {
		t.Fatalf("replayed: %s %s", n.Status, n.LastError)
	}
	if got := withSubject(mailTo(t, w.env.Sink, w.shopper+"@shop.test"), "shipped"); len(got) != 1 {
		t.Errorf("%d shipped emails after the replay, want 1", len(got))
	}
	if _, err := w.env.Svc.Replay(context.Background(), n.ID); err == nil {
		t.Error("replaying a sent notification must be refused")
	}
}

func TestPreferencesSuppressOptionalEmailsButNeverTransactionalOnes(t *testing.T) {
	w := newWorld(t)
	w.welcomed(t)
	if _, err := w.env.Svc.SetPreferences(context.Background(), w.shopper, map[string]bool{"order_shipped": false}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.Svc.SetPreferences(context.Background(), w.shopper, map[string]bool{"order_confirmed": false}); err == nil {
		t.Fatal("turning order_confirmed off must be refused")
	}
	order := w.place(t)
	paid := w.paid(t, order)
	shipped := testenv.Event(t, events.SourceOrders, events.TypeOrderShipped, order, events.OrderShipped{
		OrderID: order, MerchantID: w.merchants[0], Lines: w.lines()[:1]})
	w.publish(paid, shipped)
	if n := settled(t, w.env.Store, shipped.ID, w.shopper, domain.KindOrderShipped); n.Status != domain.StatusSuppressed {
		t.Errorf("shipped email: %s, want suppressed", n.Status)
	}
	if n := settled(t, w.env.Store, paid.ID, w.shopper, domain.KindOrderConfirmed); n.Status != domain.StatusSent {
		t.Errorf("confirmation: %s, want sent", n.Status)
	}
}

func TestADeclineSendsTheDeclineEmailWithItsReason(t *testing.T) {
	w := newWorld(t)
	order := w.place(t)
	w.publish(testenv.Event(t, events.SourcePayments, events.TypePaymentFailed, order, events.PaymentFailed{
		OrderID: order, DeclineCode: "insufficient_funds", Message: "Your card has insufficient funds."}))
	testenv.Eventually(t, 60*time.Second, "decline recorded", func() (bool, string) {
		o, err := w.env.Store.Order(context.Background(), order)
		return err == nil && o.Decline != "", o.Decline
	})
	cancelled := testenv.Event(t, events.SourceOrders, events.TypeOrderCancelled, order, events.OrderCancelled{
		OrderID: order, Reason: events.CancelPaymentDeclined, Lines: w.lines()})
	w.publish(cancelled)
	if n := settled(t, w.env.Store, cancelled.ID, w.shopper, domain.KindPaymentDeclined); n.Status != domain.StatusSent {
		t.Fatalf("decline email: %s %s", n.Status, n.LastError)
	}
	got := withSubject(mailTo(t, w.env.Sink, w.shopper+"@shop.test"), "declined")
	if len(got) != 1 || !strings.Contains(got[0].Text, "insufficient funds") || !strings.Contains(got[0].Subject, order) {
		t.Fatalf("decline emails %+v", got)
	}
}

// An order with a discount code and shipping: the confirmation shows the
// discount and the shipping after the lines and the total charged; each
// merchant's email shows its own discount and shipping and its own total.
func TestADiscountedOrderEmailShowsTheDiscountAndTheShipping(t *testing.T) {
	w := newWorld(t)
	order := w.place(t)
	lines := w.lines()
	lines[0].Discount = events.Money{Amount: 500, Currency: "EUR"} // 10% of the lamp merchant's 50.00
	paid := testenv.Event(t, events.SourceOrders, events.TypeOrderPaid, order, events.OrderPaid{
		OrderID: order, ShopperID: w.shopper, Lines: lines, Total: events.Money{Amount: 5900 - 500 + 490 + 300, Currency: "EUR"},
		Charges: []events.OrderCharge{
			{MerchantID: w.merchants[0], Subtotal: events.Money{Amount: 5000, Currency: "EUR"}, DiscountCode: "LAMP10",
				Discount: events.Money{Amount: 500, Currency: "EUR"}, Shipping: events.Money{Amount: 490, Currency: "EUR"}},
			{MerchantID: w.merchants[1], Subtotal: events.Money{Amount: 900, Currency: "EUR"}, Shipping: events.Money{Amount: 300, Currency: "EUR"}},
		},
		ShippingAddress: events.Address{Name: "Ada Shopper", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
	w.publish(paid)
	var confirmation, lamp []mailsink.Parsed
	testenv.Eventually(t, 60*time.Second, "the confirmation and the lamp merchant's email", func() (bool, string) {
		confirmation = withSubject(mailTo(t, w.env.Sink, w.shopper+"@shop.test"), "confirmed")
		lamp = withSubject(mailTo(t, w.env.Sink, w.merchants[0]+"@shop.test"), "new paid order")
		return len(confirmation) == 1 && len(lamp) == 1, fmt.Sprint(len(confirmation), len(lamp))
	})
	for _, want := range []string{"Discount: -€5.00", "Shipping: €7.90", "Total: €61.90"} {
		if !strings.Contains(confirmation[0].Text, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, confirmation[0].Text)
		}
	}
	for _, want := range []string{"Discount: -€5.00", "Shipping: €4.90", "Your total: €49.90"} {
		if !strings.Contains(lamp[0].Text, want) {
			t.Errorf("the lamp merchant's email lacks %q:\n%s", want, lamp[0].Text)
		}
	}
	if !strings.Contains(confirmation[0].HTML, "Discount") || !strings.Contains(confirmation[0].HTML, "-€5.00") {
		t.Errorf("the HTML confirmation lacks the discount:\n%s", confirmation[0].HTML)
	}
}
