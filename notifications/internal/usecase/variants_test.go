package usecase_test

import (
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/testenv"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// A variant's line is named in the emails by its product's name and its
// options (issue 18): order.placed and order.paid carry variant_options,
// the directory and the notification keep them, the text and HTML bodies
// show "T-shirt (colour: red, size: M)"; a plain line shows its name only.
func TestEmailsNameAVariantsOptions(t *testing.T) {
	w := newWorld(t)
	order := embeddedtest.UniqueName("order")
	lines := []events.OrderLine{
		{ProductID: "tee-v2", MerchantID: w.merchants[0], Name: "T-shirt", UnitPrice: events.Money{Amount: 1800, Currency: "EUR"},
			Quantity: 2, VariantOf: "tee", VariantOptions: map[string]string{"size": "M", "colour": "red"}},
		{ProductID: "p-mug", MerchantID: w.merchants[0], Name: "Ceramic Mug", UnitPrice: events.Money{Amount: 900, Currency: "EUR"}, Quantity: 1},
	}
	total := events.Money{Amount: 4500, Currency: "EUR"}
	w.publish(testenv.Event(t, events.SourceOrders, events.TypeOrderPlaced, order, events.OrderPlaced{
		OrderID: order, ShopperID: w.shopper, Lines: lines, Total: total}))
	paid := testenv.Event(t, events.SourceOrders, events.TypeOrderPaid, order, events.OrderPaid{
		OrderID: order, ShopperID: w.shopper, Lines: lines, Total: total,
		ShippingAddress: events.Address{Name: "Ada Shopper", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
	w.publish(paid)
	for r, kind := range map[string]domain.Kind{w.shopper: domain.KindOrderConfirmed, domain.MerchantRecipient(w.merchants[0]): domain.KindMerchantNewOrder} {
		if n := settled(t, w.env.Store, paid.ID, r, kind); n.Status != domain.StatusSent {
			t.Fatalf("%s to %s: %s %s", kind, r, n.Status, n.LastError)
		}
	}
	for _, to := range []string{w.shopper, w.merchants[0]} {
		msgs := withSubject(mailTo(t, w.env.Sink, to+"@shop.test"), order)
		if len(msgs) != 1 {
			t.Fatalf("%d emails to %s about %s", len(msgs), to, order)
		}
		m := msgs[0]
		if !strings.Contains(m.Text, "2 × T-shirt (colour: red, size: M) — €18.00 each") || !strings.Contains(m.Text, "1 × Ceramic Mug — ") ||
			!strings.Contains(m.HTML, "T-shirt (colour: red, size: M)") {
			t.Errorf("email to %s does not name the variant:\n%s\n%s", to, m.Text, m.HTML)
		}
	}
}
