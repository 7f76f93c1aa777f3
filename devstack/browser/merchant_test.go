package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signUpMerchant registers a new merchant, owner of store, through the
// console's form and returns once the console shows its tabs.
func signUpMerchant(t *testing.T, ctx context.Context, base, store, owner string) {
	t.Helper()
	run(t, ctx, "sign up",
		chromedp.Navigate(base+"/merchant"),
		fill(`#merchant-register input[name="store_name"]`, store),
		fill(`#merchant-register input[name="name"]`, owner),
		fill(`#merchant-register input[name="email"]`, uniqueEmail("merchant")),
		fill(`#merchant-register input[name="password"]`, "correct-horse-1"),
		click(`#merchant-register button[type="submit"]`),
		waitFor(`document.querySelector('#tabs a[data-tab="products"]') !== null && !document.querySelector('#tabs').hidden`, 15*time.Second))
}

func TestMerchantCreatesAProductWatchesItSellLiveAndShipsIt(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	base := gateway(t)
	suffix := fmt.Sprint(time.Now().UnixNano())
	name := "Stunt Kite " + suffix[len(suffix)-6:]

	signUpMerchant(t, ctx, base, "Kite Corner "+suffix, "Kim Kite")
	run(t, ctx, "console", waitFor(textContains("#live-state", "Live"), 15*time.Second))

	run(t, ctx, "create product",
		click(`#tabs a[data-tab="products"]`),
		waitFor(`document.querySelector('#product-form') !== null`, 10*time.Second),
		click(`details.editor summary`),
		fill("#p-sku", "KITE-"+suffix),
		fill("#p-name", name),
		fill("#p-category", "toys"),
		fill("#p-price", "24.50"),
		fill("#p-stock", "5"),
		fill("#p-description", "A kite that loops."),
		click("#product-save"),
		waitFor(textContains("#products-table tbody", name), 10*time.Second))
	screenshot(t, ctx, "products")
	productID, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		fmt.Sprintf(`document.querySelector('#products-table tr[data-sku="KITE-%s"]').dataset.productId`, suffix)))
	if err != nil || productID == "" {
		t.Fatalf("the new product's id: %q, %v", productID, err)
	}

	// The dashboard, marked so that a reload would show.
	run(t, ctx, "dashboard",
		click(`#tabs a[data-tab="dashboard"]`),
		waitFor(textContains("#live-state", "Live")+` && document.querySelector('#orders-today') !== null`, 15*time.Second),
		eval(`window.__notReloaded = true`))
	before := text(t, ctx, "#orders-today")
	if before != "0" {
		t.Fatalf("a new merchant has %q orders today", before)
	}

	shopper := registerShopper(t, base)
	o := shopper.buy(t, productID, 2, "pm_card_visa")
	if o.Status != "paid" {
		t.Fatalf("the purchase ended %s", o.Status)
	}
	paidAt := time.Now()
	// Within 1 s of paid (issue 15), over the analytics service's stream,
	// without a reload; the chart has the sale's minute as a point.
	run(t, ctx, "live sale",
		waitFor(textContains("#orders-today", "1")+` && `+textContains("#latest-orders", name)+` && window.__notReloaded === true`, time.Second),
		waitFor(`Number(document.querySelector('#sales-chart')?.dataset.points) >= 1`, time.Second))
	t.Logf("the dashboard showed the sale %s after the order read as paid", time.Since(paidAt).Round(time.Millisecond))
	if funnel := text(t, ctx, `#funnel [data-step="paid"] .funnel-count`); funnel != "1" {
		t.Errorf("the funnel's paid step reads %q, want 1", funnel)
	}
	revenue := text(t, ctx, "#revenue-today")
	if revenue != "$49.00" {
		t.Errorf("revenue today %q, want $49.00", revenue)
	}
	screenshot(t, ctx, "dashboard-sale")

	run(t, ctx, "ship",
		click(`#tabs a[data-tab="orders"]`),
		waitFor(fmt.Sprintf(`document.querySelector('[data-order-id=%q] button.ship') !== null`, o.ID), 10*time.Second),
		click(fmt.Sprintf(`[data-order-id=%q] button.ship`, o.ID)),
		waitFor(fmt.Sprintf(`document.querySelector('[data-order-id=%q] [data-status="shipped"]') !== null`, o.ID), 10*time.Second))
	screenshot(t, ctx, "shipped")

	var after order
	deadline := time.Now().Add(10 * time.Second)
	for after.Status != "shipped" && time.Now().Before(deadline) {
		if status := shopper.call(t, http.MethodGet, "/api/v1/orders/"+o.ID, nil, nil, &after); status != http.StatusOK {
			t.Fatalf("get order: %d", status)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
	if after.Status != "shipped" {
		t.Errorf("the shopper sees the order %s, want shipped", after.Status)
	}
}
