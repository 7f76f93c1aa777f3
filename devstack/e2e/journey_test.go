package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestShopperJourneyAcrossTwoMerchants(t *testing.T) {
	a := newAPI(t)
	tea, pots := a.merchant(), a.merchant()
	word := unique("journey")
	sencha := a.createProduct(tea, "Sencha "+word, 1250, 20)
	teapot := a.createProduct(pots, "Teapot "+word, 3900, 5)

	shopper := a.shopper()
	// The shopper finds both products by searching.
	eventually(t, 10*time.Second, "search finds both products", func() (bool, string) {
		var res struct {
			Items []product `json:"items"`
		}
		a.must(http.StatusOK, &res, http.MethodGet, "/api/v1/products?q="+word, "", nil)
		found := map[string]bool{}
		for _, p := range res.Items {
			found[p.ID] = true
		}
		return found[sencha.ID] && found[teapot.ID], fmt.Sprintf("%d results", len(res.Items))
	})
	a.addToCart(shopper, sencha.ID, 2)
	a.addToCart(shopper, teapot.ID, 1)
	var cart struct {
		Items []struct {
			ProductID string `json:"product_id"`
		} `json:"items"`
		Total money `json:"total"`
	}
	a.must(http.StatusOK, &cart, http.MethodGet, "/api/v1/cart", shopper.Token, nil)
	if len(cart.Items) != 2 || cart.Total != (money{2*1250 + 3900, currency}) {
		t.Fatalf("cart %+v", cart)
	}

	placed := a.checkout(shopper, unique("key"), "pm_card_visa")
	if placed.Total.Amount != 2*1250+3900 || len(placed.Lines) != 2 {
		t.Fatalf("placed %+v", placed)
	}
	paid := a.waitStatus(shopper, placed.ID, "paid", "", 5*time.Second)
	if paid.PaymentStatus != "succeeded" {
		t.Fatalf("paid order's payment status %q", paid.PaymentStatus)
	}
	a.waitAvailable(sencha.ID, 18, 5*time.Second)
	a.waitAvailable(teapot.ID, 4, 5*time.Second)
	if act := stripeActivity(t, placed.ID); act.SucceededCharges != 1 || act.CapturedAmount != placed.Total.Amount {
		t.Fatalf("emulator: %s", describe(act))
	}
	// The cart emptied.
	a.must(http.StatusOK, &cart, http.MethodGet, "/api/v1/cart", shopper.Token, nil)
	if len(cart.Items) != 0 {
		t.Fatalf("cart after checkout: %+v", cart)
	}

	// Each merchant sees only its own line.
	for _, m := range []struct {
		merchant user
		product  product
	}{{tea, sencha}, {pots, teapot}} {
		var list orderList
		a.must(http.StatusOK, &list, http.MethodGet, "/api/v1/merchant/orders", m.merchant.Token, nil)
		if len(list.Items) != 1 || list.Items[0].ID != placed.ID {
			t.Fatalf("merchant %s sees %+v", m.merchant.MerchantID, list.Items)
		}
		if lines := list.Items[0].Lines; len(lines) != 1 || lines[0].ProductID != m.product.ID || lines[0].MerchantID != m.merchant.MerchantID {
			t.Fatalf("merchant %s sees lines %+v", m.merchant.MerchantID, lines)
		}
	}

	// Shipping both merchants' lines ships the order.
	var afterFirst order
	a.must(http.StatusOK, &afterFirst, http.MethodPost, "/api/v1/merchant/orders/"+placed.ID+"/ship", tea.Token, nil)
	if afterFirst.Status != "paid" {
		t.Fatalf("after the first merchant shipped: %s", afterFirst.Status)
	}
	a.must(http.StatusOK, nil, http.MethodPost, "/api/v1/merchant/orders/"+placed.ID+"/ship", pots.Token, nil)
	if o := a.order(shopper, placed.ID); o.Status != "shipped" {
		t.Fatalf("after both shipped: %s", o.Status)
	}
	var mine orderList
	a.must(http.StatusOK, &mine, http.MethodGet, "/api/v1/orders", shopper.Token, nil)
	if len(mine.Items) != 1 || mine.Items[0].Status != "shipped" {
		t.Fatalf("shopper's orders %+v", mine.Items)
	}
}

func TestDeclinedCardCancelsAndReturnsTheStock(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Kettle "), 4500, 7)
	s := a.shopper()
	a.addToCart(s, p.ID, 3)
	o := a.checkout(s, unique("key"), "pm_card_chargeDeclined")
	got := a.waitStatus(s, o.ID, "cancelled", "payment_declined", 10*time.Second)
	if got.PaymentStatus != "failed" {
		t.Fatalf("payment status %q", got.PaymentStatus)
	}
	a.waitAvailable(p.ID, 7, 10*time.Second)
	if act := stripeActivity(t, o.ID); act.SucceededCharges != 0 || netCharged(act) != 0 {
		t.Fatalf("a declined card was charged: %s", describe(act))
	}
}

func TestPaidOrderCancelledByItsShopperIsRefunded(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Grinder "), 8900, 4)
	s := a.shopper()
	a.addToCart(s, p.ID, 2)
	o := a.checkout(s, unique("key"), "pm_card_visa")
	a.waitStatus(s, o.ID, "paid", "", 5*time.Second)
	a.waitAvailable(p.ID, 2, 5*time.Second)

	var cancelled order
	a.must(http.StatusOK, &cancelled, http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", s.Token, nil)
	refunded := a.waitStatus(s, o.ID, "refunded", "", 10*time.Second)
	if refunded.PaymentStatus != "refunded" {
		t.Fatalf("payment status %q", refunded.PaymentStatus)
	}
	eventually(t, 5*time.Second, "one refund in the emulator", func() (bool, string) {
		act := stripeActivity(t, o.ID)
		return act.SucceededCharges == 1 && len(act.Refunds) == 1 && netCharged(act) == 0, describe(act)
	})
	a.waitAvailable(p.ID, 4, 10*time.Second)
	// A second cancel changes nothing.
	a.must(http.StatusOK, nil, http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", s.Token, nil)
	if act := stripeActivity(t, o.ID); len(act.Refunds) != 1 {
		t.Fatalf("after a second cancel: %s", describe(act))
	}
}
