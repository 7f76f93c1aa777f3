package e2e

import (
	"net/http"
	"testing"
	"time"
)

func TestOrdersAreTheirShoppersOnly(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Cup "), 900, 10)
	owner := a.shopper()
	a.addToCart(owner, p.ID, 1)
	o := a.checkout(owner, unique("key"), "pm_card_visa")
	a.waitStatus(owner, o.ID, "paid", "", 5*time.Second)

	stranger := a.shopper()
	for name, token := range map[string]string{"another shopper": stranger.Token, "the order's own merchant": m.Token} {
		if r := a.do(http.MethodGet, "/api/v1/orders/"+o.ID, token, nil); r.status != http.StatusNotFound {
			t.Errorf("%s reads the order: %s", name, r)
		}
		if r := a.do(http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", token, nil); r.status != http.StatusNotFound {
			t.Errorf("%s cancels the order: %s", name, r)
		}
	}
	if r := a.do(http.MethodGet, "/api/v1/orders/"+o.ID, "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous read: %s", r)
	}
	if got := a.order(owner, o.ID); got.Status != "paid" {
		t.Fatalf("the owner's order is now %s", got.Status)
	}
}
