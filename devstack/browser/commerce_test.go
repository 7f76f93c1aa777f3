package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Issue 18 in the browser: a discount code in the cart (and on the order),
// a merchant's codes and shipping rates in the console. The shared helpers
// of reviews_test.go and addresses_test.go are here too.

// shop is a merchant made through the API, with one product.
type shop struct {
	*apiClient
	email     string
	productID string
	name      string
}

// openShop registers a merchant and creates a product of price (minor
// units, USD) and weight.
func openShop(t *testing.T, base, productName string, price, weightGrams int64) shop {
	t.Helper()
	c := &apiClient{base: base}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	suffix := fmt.Sprint(time.Now().UnixNano())
	email := uniqueEmail("shop")
	body := map[string]string{"email": email, "password": "correct-horse-1", "name": "Api Merchant",
		"role": "merchant", "store_name": "Shop " + suffix}
	if status := c.call(t, http.MethodPost, "/api/v1/auth/register", body, nil, &tokens); status != http.StatusCreated {
		t.Fatalf("register merchant: %d", status)
	}
	c.token = tokens.AccessToken
	name := productName + " " + suffix[len(suffix)-6:]
	var p struct {
		ID string `json:"id"`
	}
	product := map[string]any{"sku": "B18-" + suffix, "name": name, "category": "toys", "description": "For the issue 18 browser tests.",
		"price": map[string]any{"amount": price, "currency": "USD"}, "stock": 10, "weight_grams": weightGrams,
		"images": []string{base + "/assets/products/kite.svg"}}
	if status := c.call(t, http.MethodPost, "/api/v1/merchant/products", product, nil, &p); status != http.StatusCreated {
		t.Fatalf("create product: %d", status)
	}
	return shop{apiClient: c, email: email, productID: p.ID, name: name}
}

// shopperAccount is a shopper registered through the API whose password
// is known, so that the browser can sign in as the same person.
func shopperAccount(t *testing.T, base string) (*apiClient, string) {
	t.Helper()
	c := &apiClient{base: base}
	email := uniqueEmail("reviewer")
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	body := map[string]string{"email": email, "password": "correct-horse-1", "name": "Rita Reviewer", "role": "shopper"}
	if status := c.call(t, http.MethodPost, "/api/v1/auth/register", body, nil, &tokens); status != http.StatusCreated {
		t.Fatalf("register shopper: %d", status)
	}
	c.token = tokens.AccessToken
	return c, email
}

// signIn signs the browser in on the storefront.
func signIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	run(t, ctx, "sign in",
		chromedp.Navigate(base+"/login"),
		fill(`input[name="email"]`, email),
		fill(`input[name="password"]`, "correct-horse-1"),
		click(`form.auth-form button[type="submit"]`),
		waitFor(textContains("#account", "Sign out"), 10*time.Second))
}

func TestShopperAppliesADiscountCodeInTheCart(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	base := gateway(t)
	s := openShop(t, base, "Code Kite", 2000, 500)
	code := map[string]any{"code": "KITE10", "kind": "percentage", "percent": 10, "currency": "USD", "min_subtotal": 1000}
	if status := s.call(t, http.MethodPost, "/api/v1/merchant/discounts", code, nil, nil); status != http.StatusCreated {
		t.Fatalf("create code: %d", status)
	}
	rates := map[string]any{"kind": "flat", "currency": "USD", "amount": 499}
	if status := s.call(t, http.MethodPut, "/api/v1/merchant/shipping", rates, nil, nil); status != http.StatusOK {
		t.Fatalf("set rates: %d", status)
	}

	signUpShopper(t, ctx, base)
	run(t, ctx, "add to cart",
		chromedp.Navigate(base+"/product/"+s.productID),
		waitFor(textContains("h1", s.name), 10*time.Second),
		click(`form.buy button[type="submit"]`),
		waitFor(textContains(".message", "Added 1 × "+s.name), 10*time.Second),
		click("#cart-link"),
		waitFor(fmt.Sprintf(`document.querySelector('.merchant-group[data-merchant-id] .line[data-product-id=%q]') !== null`, s.productID), 10*time.Second))
	if got := text(t, ctx, "#cart-total"); got != "$24.99" {
		t.Fatalf("total before the code %q, want $24.99 (20.00 + 4.99 shipping)", got)
	}

	// A code no shop of the cart has: the 409 problem's detail is shown.
	run(t, ctx, "unknown code",
		fill("#discount-code", "NOSUCHCODE"),
		click("#apply-code"),
		waitFor(`document.querySelector('#discount-message.message-error') !== null`, 10*time.Second))
	if msg := text(t, ctx, "#discount-message"); !strings.Contains(msg, "NOSUCHCODE") {
		t.Errorf("unknown code message %q, want the problem's detail naming the code", msg)
	}

	run(t, ctx, "apply code",
		fill("#discount-code", "kite10"),
		click("#apply-code"),
		waitFor(`document.querySelector('.merchant-discount') !== null`, 10*time.Second))
	screenshot(t, ctx, "cart-discount")
	checks := map[string]string{
		".merchant-group .code-tag": "KITE10",
		".merchant-discount":        "−$2.00",
		".merchant-shipping":        "$4.99",
		".line-discount":            "−$2.00 off",
		"#cart-discount":            "−$2.00",
		"#cart-total":               "$22.99",
	}
	for selector, want := range checks {
		if got := strings.TrimSpace(text(t, ctx, selector)); got != want {
			t.Errorf("%s reads %q, want %q", selector, got, want)
		}
	}

	run(t, ctx, "remove code",
		click(".remove-code"),
		waitFor(`document.querySelector('.merchant-discount') === null && `+textContains("#cart-total", "$24.99"), 10*time.Second),
		fill("#discount-code", "KITE10"),
		click("#apply-code"),
		waitFor(textContains("#cart-total", "$22.99"), 10*time.Second))

	run(t, ctx, "checkout summary",
		click("#to-checkout"),
		waitFor(`document.querySelector('#summary-total') !== null`, 10*time.Second))
	if got := text(t, ctx, "#summary-total"); got != "$22.99" {
		t.Errorf("checkout total %q, want $22.99", got)
	}
	if got := text(t, ctx, "#summary-discount"); got != "−$2.00" {
		t.Errorf("checkout discount %q, want −$2.00", got)
	}
	run(t, ctx, "place order",
		fill(`input[name="shipping_address.line1"]`, "1 Browser Lane"),
		fill(`input[name="shipping_address.city"]`, "Springfield"),
		fill(`input[name="shipping_address.postal_code"]`, "12345"),
		click(`#pm-pm_card_visa`),
		click(`#place-order`),
		waitFor(`document.querySelector('#order-status [data-status="paid"]') !== null`, 30*time.Second))
	screenshot(t, ctx, "order-discount")
	for selector, want := range map[string]string{"#order-subtotal": "$20.00", "#order-discount": "−$2.00", "#order-shipping": "$4.99", "#order-total": "$22.99"} {
		if got := strings.TrimSpace(text(t, ctx, selector)); got != want {
			t.Errorf("order page %s reads %q, want %q", selector, got, want)
		}
	}
}

func TestMerchantCreatesADiscountCodeInTheConsole(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	base := gateway(t)
	suffix := fmt.Sprint(time.Now().UnixNano())
	code := "SPRING" + suffix[len(suffix)-6:]
	signUpMerchant(t, ctx, base, "Spring Shop "+suffix, "Sam Spring")
	run(t, ctx, "open discounts",
		click(`#tabs a[data-tab="discounts"]`),
		waitFor(`document.querySelector('#discount-form') !== null`, 10*time.Second))

	// 101 % is refused by the service: the problem shows and nothing is listed.
	run(t, ctx, "bad percent",
		fill("#d-code", code),
		fill("#d-value", "101"),
		click("#discount-save"),
		waitFor(`document.querySelector('#discount-form .message-error') !== null`, 10*time.Second))
	if msg := text(t, ctx, "#discount-form"); !strings.Contains(msg, "1 to 100") {
		t.Errorf("101 %% message: %q", msg)
	}

	run(t, ctx, "create",
		chromedp.SetValue(chromedp.CSS("#d-kind"), "fixed"),
		eval(`document.querySelector('#d-kind').dispatchEvent(new Event('change'))`),
		fill("#d-value", "5.00"),
		fill("#d-min", "25.00"),
		fill("#d-limit", "10"),
		fill("#d-per-shopper", "1"),
		click("#discount-save"),
		waitFor(fmt.Sprintf(`document.querySelector('#discounts-table tr[data-code=%q]') !== null`, code), 10*time.Second))
	screenshot(t, ctx, "discounts")

	// The list as the service has it, after a reload.
	row := fmt.Sprintf(`#discounts-table tr[data-code=%q]`, code)
	run(t, ctx, "reload",
		chromedp.Reload(),
		waitFor(fmt.Sprintf(`document.querySelector(%q) !== null`, row), 10*time.Second))
	if got := text(t, ctx, row+" .discount-value"); got != "$5.00 off" {
		t.Errorf("discount %q, want $5.00 off", got)
	}
	if got := text(t, ctx, row); !strings.Contains(got, "$25.00") || !strings.Contains(got, "0 of 10 used; 1 per shopper") {
		t.Errorf("row %q lacks the minimum or the limits", got)
	}
}

func TestMerchantSetsWeightBandShippingInTheConsole(t *testing.T) {
	ctx := newBrowser(t, 3*time.Minute)
	base := gateway(t)
	suffix := fmt.Sprint(time.Now().UnixNano())
	signUpMerchant(t, ctx, base, "Band Shop "+suffix, "Bo Band")
	run(t, ctx, "open shipping",
		click(`#tabs a[data-tab="shipping"]`),
		waitFor(`document.querySelector('#shipping-form') !== null`, 10*time.Second))
	if got := text(t, ctx, "#current-rates"); !strings.Contains(got, "ships for free") {
		t.Errorf("a new shop's rates read %q", got)
	}

	// The second band starts inside the first: the service's 400 marks it.
	run(t, ctx, "overlapping bands",
		chromedp.SetValue(chromedp.CSS("#s-kind"), "weight_bands"),
		eval(`document.querySelector('#s-kind').dispatchEvent(new Event('change'))`),
		fill("#band-0-to_grams", "1000"),
		fill("#band-0-amount", "4.90"),
		click("#add-band"),
		fill("#band-1-from_grams", "500"),
		fill("#band-1-amount", "9.90"),
		click("#shipping-save"),
		waitFor(`document.querySelector('#band-1-from_grams[aria-invalid="true"]') !== null`, 10*time.Second))
	if got := text(t, ctx, "#shipping-form"); !strings.Contains(got, "overlaps") {
		t.Errorf("overlap message missing: %q", got)
	}
	if got := text(t, ctx, "#current-rates"); !strings.Contains(got, "ships for free") {
		t.Errorf("a refused table changed the rates: %q", got)
	}

	const want = "0–1000 g: $4.90; 1000–… g: $9.90"
	run(t, ctx, "fixed bands",
		fill("#band-1-from_grams", "1000"),
		click("#shipping-save"),
		waitFor(textContains("#current-rates", want), 10*time.Second),
		chromedp.Reload(),
		waitFor(textContains("#current-rates", want), 10*time.Second))
	screenshot(t, ctx, "shipping")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#bands tr.band').length`)); err != nil || n != 2 {
		t.Errorf("%d bands in the form after a reload (%v), want 2", n, err)
	}
}
