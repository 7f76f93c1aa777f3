package e2e

import (
	"net/http"
	"testing"
	"time"
)

// TestCheckoutShipsToTheDefaultAddress: a shopper saves an address and
// checks out without one; orders reads the default from users with the
// shopper's token, and the order carries it, through the whole suite.
func TestCheckoutShipsToTheDefaultAddress(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Teapot "), 3200, 5)
	s := a.shopper()

	// Without a saved address, a checkout without one is refused.
	a.addToCart(s, p.ID, 1)
	if r := a.do(http.MethodPost, "/api/v1/checkout", s.Token, map[string]any{"payment_method": "pm_card_visa"},
		"Idempotency-Key", unique("key")); r.status != http.StatusBadRequest || problemCode(r) != "validation_failed" {
		t.Fatalf("checkout without any address: %s, want 400 validation_failed", r)
	}

	home := map[string]any{"name": "Grace Hopper", "line1": "7 Cobol Lane", "line2": "Floor 2", "city": "Arlington",
		"region": "VA", "postal_code": "22201", "country": "US"}
	a.must(http.StatusCreated, nil, http.MethodPost, "/api/v1/users/me/addresses", s.Token, home)

	var o struct {
		ID              string            `json:"id"`
		ShippingAddress map[string]string `json:"shipping_address"`
	}
	a.must(http.StatusAccepted, &o, http.MethodPost, "/api/v1/checkout", s.Token,
		map[string]any{"payment_method": "pm_card_visa"}, "Idempotency-Key", unique("key"))
	paid := a.waitStatus(s, o.ID, "paid", "", 15*time.Second)
	if len(paid.Lines) != 1 || paid.Lines[0].ProductID != p.ID || paid.Total.Amount != 3200 {
		t.Fatalf("order %+v", paid)
	}
	var stored struct {
		ShippingAddress map[string]string `json:"shipping_address"`
	}
	a.must(http.StatusOK, &stored, http.MethodGet, "/api/v1/orders/"+o.ID, s.Token, nil)
	for k, v := range home {
		if o.ShippingAddress[k] != v || stored.ShippingAddress[k] != v {
			t.Fatalf("order ships to %v (stored %v), want the default %v", o.ShippingAddress, stored.ShippingAddress, home)
		}
	}
}
