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

// Issue 18's variants in the browser: a shopper picks and buys one
// variant; a merchant makes a product with variants in the console, edits
// a variant's price, restocks and adds one, and edits a discount code.

// variantJSON is the part of a variant the tests read (public JSON).
type variantJSON struct {
	ID      string            `json:"id"`
	SKU     string            `json:"sku"`
	Options map[string]string `json:"options"`
	Price   struct {
		Amount int64 `json:"amount"`
	} `json:"price"`
	Stock struct {
		Available int64 `json:"available"`
	} `json:"stock"`
}

// productJSON is the part of a product with variants the tests read.
type productJSON struct {
	ID    string `json:"id"`
	Stock struct {
		Available int64 `json:"available"`
	} `json:"stock"`
	Variants   []variantJSON `json:"variants"`
	PriceRange struct {
		Min struct {
			Amount int64 `json:"amount"`
		} `json:"min"`
		Max struct {
			Amount int64 `json:"amount"`
		} `json:"max"`
	} `json:"price_range"`
}

// variantBySKU is the variant of p with sku, or fails the test.
func variantBySKU(t *testing.T, p productJSON, sku string) variantJSON {
	t.Helper()
	for _, v := range p.Variants {
		if v.SKU == sku {
			return v
		}
	}
	t.Fatalf("product %s has no variant %s: %+v", p.ID, sku, p.Variants)
	return variantJSON{}
}

// registerMerchant makes a merchant account through the API.
func registerMerchant(t *testing.T, base string) *apiClient {
	t.Helper()
	c := &apiClient{base: base}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	body := map[string]string{"email": uniqueEmail("shop"), "password": "correct-horse-1", "name": "Vera Variant",
		"role": "merchant", "store_name": fmt.Sprint("Variant Shop ", time.Now().UnixNano())}
	if status := c.call(t, http.MethodPost, "/api/v1/auth/register", body, nil, &tokens); status != http.StatusCreated {
		t.Fatalf("register merchant: %d", status)
	}
	c.token = tokens.AccessToken
	return c
}

// publicProduct reads a product (or a variant) as shoppers see it.
func publicProduct(t *testing.T, base, id string) productJSON {
	t.Helper()
	var p productJSON
	if status := (&apiClient{base: base}).call(t, http.MethodGet, "/api/v1/products/"+id, nil, nil, &p); status != http.StatusOK {
		t.Fatalf("get product %s: %d", id, status)
	}
	return p
}

// pickOption chooses value in the product page's select of option name.
func pickOption(name, value string) chromedp.Action[chromedp.Void] {
	sel := fmt.Sprintf(`select[data-option=%q]`, name)
	return chromedp.Steps(
		chromedp.SetValue(chromedp.CSS(sel), value),
		eval(fmt.Sprintf(`document.querySelector(%q).dispatchEvent(new Event('change'))`, sel)))
}

func TestVariantPickerBuysTheChosenVariant(t *testing.T) {
	ctx := newBrowser(t, 4*time.Minute)
	base := gateway(t)
	m := registerMerchant(t, base)
	suffix := fmt.Sprint(time.Now().UnixNano())
	name := "Picker Tee " + suffix[len(suffix)-6:]
	sku := "TEE-" + suffix
	const xl = "<b>XL</b>" // a merchant's word with markup: shown as text
	usd := func(amount int64) map[string]any { return map[string]any{"amount": amount, "currency": "USD"} }
	body := map[string]any{"sku": sku, "name": name, "category": "apparel", "description": "A tee in three sizes.",
		"price": usd(2000), "weight_grams": 200, "images": []string{base + "/assets/products/tee.svg"},
		"options": []map[string]any{{"name": "size", "values": []string{"S", "M", xl}}},
		"variants": []map[string]any{
			{"sku": sku + "-S", "options": map[string]string{"size": "S"}, "stock": 5},
			{"sku": sku + "-M", "options": map[string]string{"size": "M"}, "stock": 3, "price": usd(2500)},
			{"sku": sku + "-XL", "options": map[string]string{"size": xl}, "stock": 0},
		}}
	var created productJSON
	if status := m.call(t, http.MethodPost, "/api/v1/merchant/products", body, nil, &created); status != http.StatusCreated {
		t.Fatalf("create a product with variants: %d", status)
	}
	p := publicProduct(t, base, created.ID)
	small, medium := variantBySKU(t, p, sku+"-S"), variantBySKU(t, p, sku+"-M")

	signUpShopper(t, ctx, base)
	card := fmt.Sprintf(`#results .product-card[data-product-id=%q]`, p.ID)
	run(t, ctx, "search",
		chromedp.Navigate(base+"/search?q="+strings.ReplaceAll(name, " ", "+")),
		waitFor(fmt.Sprintf(`document.querySelector(%q) !== null`, card), 10*time.Second))
	if got := text(t, ctx, card+" .price"); got != "from $20.00" {
		t.Errorf("the card's price reads %q, want from $20.00", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#results .product-card').length`)); err != nil || n != 1 {
		t.Errorf("%d cards for the product's name (%v), want 1: variants are not listed", n, err)
	}

	// The first size in stock is chosen; each choice shows its price and stock.
	run(t, ctx, "product page",
		eval(fmt.Sprintf(`document.querySelector('%s .card-link').click()`, card)),
		waitFor(textContains("h1", name)+` && document.querySelector('select[data-option="size"]') !== null`, 10*time.Second))
	if got := text(t, ctx, "#product-price"); got != "$20.00" {
		t.Errorf("size S costs %q, want $20.00", got)
	}
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#variant-picker option')].map(o => o.textContent).join('|') + (document.querySelector('#variant-picker b') ? ' has markup' : '')`)); err != nil || got != "S|M|"+xl {
		t.Errorf("the picker's sizes read %q (%v), want S|M|%s as text", got, err, xl)
	}
	run(t, ctx, "pick XL", pickOption("size", xl),
		waitFor(textContains("#product-stock", "Sold out")+` && document.querySelector('form.buy button[type="submit"]').disabled`, 5*time.Second))
	run(t, ctx, "pick M", pickOption("size", "M"),
		waitFor(textContains("#product-price", "$25.00")+` && `+textContains("#product-stock", "Only 3 left"), 5*time.Second))
	screenshot(t, ctx, "variant-picker")
	if got := text(t, ctx, "#product-sku"); got != "SKU "+sku+"-M" {
		t.Errorf("the SKU shown is %q, want the variant's", got)
	}

	run(t, ctx, "add M",
		click(`form.buy button[type="submit"]`),
		waitFor(textContains(".message", "Added 1 × "+name+" (size: M)"), 10*time.Second),
		click("#cart-link"),
		waitFor(fmt.Sprintf(`document.querySelector('.line[data-product-id=%q]') !== null`, medium.ID), 10*time.Second))
	screenshot(t, ctx, "variant-cart")
	line := fmt.Sprintf(`.line[data-product-id=%q]`, medium.ID)
	if got := strings.TrimSpace(text(t, ctx, line+" .line-options")); got != "(size: M)" {
		t.Errorf("the cart line's options read %q, want (size: M)", got)
	}
	if got := text(t, ctx, line); !strings.Contains(got, name) || !strings.Contains(got, "$25.00 each") {
		t.Errorf("the cart line reads %q, want the name and $25.00 each", got)
	}
	if got := text(t, ctx, "#cart-subtotal"); got != "$25.00" {
		t.Errorf("cart subtotal %q, want $25.00", got)
	}

	checkout(t, ctx, "pm_card_visa")
	run(t, ctx, "paid", waitFor(`document.querySelector('#order-status [data-status="paid"]') !== null`, 30*time.Second))
	if got := text(t, ctx, ".order-details .line-options"); strings.TrimSpace(got) != "(size: M)" {
		t.Errorf("the order line's options read %q, want (size: M)", got)
	}
	screenshot(t, ctx, "variant-order")

	// The stock of the variant bought went down; the other sizes' did not.
	deadline := time.Now().Add(10 * time.Second)
	for publicProduct(t, base, medium.ID).Stock.Available != 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // poll interval
	}
	if got := publicProduct(t, base, medium.ID).Stock.Available; got != 2 {
		t.Errorf("size M has %d available after the sale, want 2", got)
	}
	if got := publicProduct(t, base, small.ID).Stock.Available; got != 5 {
		t.Errorf("size S has %d available, want 5 (not sold)", got)
	}
}

func TestConsoleVariantsAndDiscountCodeEdit(t *testing.T) {
	ctx := newBrowser(t, 4*time.Minute)
	base := gateway(t)
	suffix := fmt.Sprint(time.Now().UnixNano())
	name := "Console Cap " + suffix[len(suffix)-6:]
	sku := "CAP-" + suffix
	signUpMerchant(t, ctx, base, "Cap Shop "+suffix, "Cass Cap")
	run(t, ctx, "open products",
		click(`#tabs a[data-tab="products"]`),
		waitFor(`document.querySelector('#product-form') !== null`, 10*time.Second))

	// Options S, M, L make three drafts; L is removed, M costs more.
	run(t, ctx, "create with variants",
		click(`details.editor summary`),
		fill("#p-sku", sku),
		fill("#p-name", name),
		fill("#p-category", "apparel"),
		fill("#p-price", "30.00"),
		fill("#p-description", "A cap in sizes."),
		click("#add-option"),
		fill("#opt-0-name", "size"),
		fill("#opt-0-values", "S, M, L"),
		click("#make-variants"),
		waitFor(`document.querySelectorAll('#variant-drafts tr').length === 3 && document.querySelector('#p-stock').closest('.field').hidden`, 5*time.Second),
		click(`#variant-drafts tr[data-combination="size: L"] button`),
		waitFor(`document.querySelectorAll('#variant-drafts tr').length === 2`, 5*time.Second),
		fill("#v-0-sku", sku+"-S"),
		fill("#v-0-stock", "4"),
		fill("#v-1-sku", sku+"-M"),
		fill("#v-1-price", "35.00"),
		fill("#v-1-stock", "6"),
		click("#product-save"),
		waitFor(`document.querySelectorAll('#products-table tr.variant').length === 2`, 10*time.Second))
	screenshot(t, ctx, "console-variants")
	productID, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('#products-table tr[data-sku=%q]').dataset.productId`, sku)))
	if err != nil || productID == "" {
		t.Fatalf("the new product's id: %q, %v", productID, err)
	}
	p := publicProduct(t, base, productID)
	if len(p.Variants) != 2 || p.PriceRange.Min.Amount != 3000 || p.PriceRange.Max.Amount != 3500 {
		t.Fatalf("the product as shoppers see it: %d variants, range %d–%d; want 2, 3000–3500", len(p.Variants), p.PriceRange.Min.Amount, p.PriceRange.Max.Amount)
	}
	small, medium := variantBySKU(t, p, sku+"-S"), variantBySKU(t, p, sku+"-M")
	if small.Price.Amount != 3000 || small.Stock.Available != 4 || medium.Stock.Available != 6 {
		t.Errorf("S: %d at %d, M: %d; want 4 at 3000 and 6", small.Stock.Available, small.Price.Amount, medium.Stock.Available)
	}

	row := func(v variantJSON) string { return fmt.Sprintf(`#products-table tr.variant[data-variant-id=%q]`, v.ID) }
	run(t, ctx, "edit a variant's price",
		fill(row(small)+" .variant-price", "28.00"),
		click(row(small)+" .save-price"),
		waitFor(textContains("#products-message", "Price of "+sku+"-S is now $28.00"), 10*time.Second))
	if got := variantPrice(t, base, small.ID); got != 2800 {
		t.Errorf("size S costs %d after the edit, want 2800", got)
	}

	run(t, ctx, "restock a variant",
		fill(row(medium)+` input[type="number"]`, "5"),
		click(row(medium)+" .restock-variant"),
		waitFor(textContains(row(medium)+" .stock-cell", "11"), 10*time.Second))
	if got := publicProduct(t, base, medium.ID).Stock.Available; got != 11 {
		t.Errorf("size M has %d available after restocking 5, want 11", got)
	}

	adder := fmt.Sprintf(`#products-table tr.add-variant[data-variant-of=%q]`, productID)
	run(t, ctx, "add a variant",
		click(adder+" summary"),
		waitFor(fmt.Sprintf(`document.querySelector('%s select[data-option="size"]').value === 'L'`, adder), 5*time.Second),
		fill(adder+` input[name="sku"]`, sku+"-L"),
		fill(adder+` input[name="stock"]`, "2"),
		click(adder+` button[type="submit"]`),
		waitFor(`document.querySelectorAll('#products-table tr.variant').length === 3`, 10*time.Second))
	if got := variantBySKU(t, publicProduct(t, base, productID), sku+"-L"); got.Options["size"] != "L" || got.Stock.Available != 2 || got.Price.Amount != 3000 {
		t.Errorf("the added variant: %+v, want size L, 2 available at the product's 3000", got)
	}

	editCodeInTheConsole(t, ctx, suffix)
}

// variantPrice is a variant's effective price, from its public JSON.
func variantPrice(t *testing.T, base, id string) int64 {
	t.Helper()
	var v variantJSON
	if status := (&apiClient{base: base}).call(t, http.MethodGet, "/api/v1/products/"+id, nil, nil, &v); status != http.StatusOK {
		t.Fatalf("get variant %s: %d", id, status)
	}
	return v.Price.Amount
}

// editCodeInTheConsole creates a code in the console, edits it and checks
// the change after a reload.
func editCodeInTheConsole(t *testing.T, ctx context.Context, suffix string) {
	t.Helper()
	code := "CAP" + suffix[len(suffix)-6:]
	row := fmt.Sprintf(`#discounts-table tr[data-code=%q]`, code)
	run(t, ctx, "create a code",
		click(`#tabs a[data-tab="discounts"]`),
		waitFor(`document.querySelector('#discount-form') !== null`, 10*time.Second),
		fill("#d-code", code),
		fill("#d-value", "10"),
		click("#discount-save"),
		waitFor(fmt.Sprintf(`document.querySelector(%q) !== null`, row), 10*time.Second))
	run(t, ctx, "edit the code",
		click(row+" .edit-code"),
		waitFor(`document.querySelector('#d-code').readOnly && `+textContains("#discount-save", "Save changes"), 5*time.Second),
		fill("#d-value", "15"),
		fill("#d-min", "20.00"),
		fill("#d-limit", "3"),
		click("#discount-save"),
		waitFor(textContains(row+" .discount-value", "15 % off"), 10*time.Second))
	if got := text(t, ctx, "#discount-save"); got != "Create code" {
		t.Errorf("after saving, the form's button reads %q, want Create code", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#discounts-table tr[data-code]').length`)); err != nil || n != 1 {
		t.Errorf("%d codes listed after the edit (%v), want 1", n, err)
	}
	run(t, ctx, "reload", chromedp.Reload(), waitFor(fmt.Sprintf(`document.querySelector(%q) !== null`, row), 10*time.Second))
	screenshot(t, ctx, "code-edited")
	if got := text(t, ctx, row); !strings.Contains(got, "15 % off") || !strings.Contains(got, "$20.00") || !strings.Contains(got, "0 of 3 used") {
		t.Errorf("the edited code's row reads %q, want 15 %% off, $20.00 and 0 of 3 used", got)
	}
}
