package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/internal/seed"
)

// The commerce features of issue 18 end to end: product weights, a
// merchant's weight-band shipping rates and percentage code, the cart's
// quote, checkout's charge, the refund of a cancelled order, the code's use
// given back; codes refused across merchants and after their window; the
// address book; reviews after a shipped purchase; the demo seed's code,
// rates and weights.

// createWeighed creates a product of m weighing grams a unit.
func (a *api) createWeighed(m user, name string, amount, stock, grams int64) product {
	a.t.Helper()
	var p struct {
		product
		WeightGrams int64 `json:"weight_grams"`
	}
	a.must(http.StatusCreated, &p, http.MethodPost, "/api/v1/merchant/products", m.Token, map[string]any{
		"sku": unique("SKU-"), "name": name, "description": "An end-to-end commerce product", "category": "e2e",
		"price": money{amount, currency}, "stock": stock, "images": []string{}, "weight_grams": grams,
	})
	if p.ID == "" || p.WeightGrams != grams {
		a.t.Fatalf("created product %+v, want weight %d", p, grams)
	}
	return p.product
}

// createCode creates a percentage code of m valid from starts to ends.
func (a *api) createCode(m user, code string, percent, usageLimit int64, starts, ends time.Time) {
	a.t.Helper()
	a.must(http.StatusCreated, nil, http.MethodPost, "/api/v1/merchant/discounts", m.Token, map[string]any{
		"code": code, "kind": "percentage", "percent": percent, "currency": currency,
		"starts_at": starts, "ends_at": ends, "usage_limit": usageLimit, "per_shopper_limit": 1,
	})
}

// codeUses is how many uses of m's code are taken.
func (a *api) codeUses(m user, code string) int64 {
	a.t.Helper()
	var d struct {
		Used int64 `json:"used"`
	}
	a.must(http.StatusOK, &d, http.MethodGet, "/api/v1/merchant/discounts/"+code, m.Token, nil)
	return d.Used
}

// problemCode is the stable code of a problem answer.
func problemCode(r response) string {
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(r.body, &p)
	return p.Code
}

// priced is the money of a cart or an order: per line, per merchant and in
// all, as orders answers them.
type priced struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Subtotal money  `json:"subtotal"`
	Discount money  `json:"discount"`
	Shipping money  `json:"shipping"`
	Total    money  `json:"total"`
	// Items are the cart's lines, Lines the order's.
	Items []pricedLine `json:"items"`
	Lines []pricedLine `json:"lines"`
	// Merchants are the per-merchant charges.
	Merchants []struct {
		MerchantID   string `json:"merchant_id"`
		Subtotal     money  `json:"subtotal"`
		DiscountCode string `json:"discount_code"`
		Discount     money  `json:"discount"`
		Shipping     money  `json:"shipping"`
		WeightGrams  int64  `json:"weight_grams"`
		Total        money  `json:"total"`
	} `json:"merchants"`
}

type pricedLine struct {
	ProductID string `json:"product_id"`
	Quantity  int64  `json:"quantity"`
	Discount  money  `json:"discount"`
}

// lineDiscounts maps product ids to their lines' discounts.
func lineDiscounts(lines []pricedLine) map[string]int64 {
	out := map[string]int64{}
	for _, l := range lines {
		out[l.ProductID] = l.Discount.Amount
	}
	return out
}

func TestCommerceCodeWeightBandsAndRefund(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	mug := a.createWeighed(m, unique("Mug "), 1249, 10, 400)
	pot := a.createWeighed(m, unique("Pot "), 3899, 5, 1500)
	a.must(http.StatusOK, nil, http.MethodPut, "/api/v1/merchant/shipping", m.Token, map[string]any{
		"kind": "weight_bands", "currency": currency, "bands": []map[string]int64{
			{"from_grams": 0, "to_grams": 1000, "amount": 490},
			{"from_grams": 1000, "to_grams": 5000, "amount": 990},
			{"from_grams": 5000, "amount": 1990},
		}})
	code := unique("TEN")
	a.createCode(m, code, 10, 5, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))

	// Expected, by the rules orders documents: subtotal 2×1249 + 3899 =
	// 6397; 10% rounded down = 639; allocated in proportion, each share
	// rounded down (mug 2498×639/6397 = 249.5 → 249, pot 3899×639/6397 =
	// 389.5 → 389), the one unit left to the largest line (pot 390);
	// weight 2×400 + 1500 = 2300 g, the 1–5 kg band: 990; total 6397 − 639
	// + 990 = 6748.
	const subtotal, discount, shipping, total = 6397, 639, 990, 6748
	wantLines := map[string]int64{mug.ID: 249, pot.ID: 390}
	check := func(what string, got priced, lines []pricedLine) {
		t.Helper()
		if got.Subtotal != (money{subtotal, currency}) || got.Discount != (money{discount, currency}) ||
			got.Shipping != (money{shipping, currency}) || got.Total != (money{total, currency}) {
			t.Fatalf("%s: subtotal %v discount %v shipping %v total %v, want %d %d %d %d",
				what, got.Subtotal, got.Discount, got.Shipping, got.Total, subtotal, discount, shipping, total)
		}
		if ld := lineDiscounts(lines); len(ld) != 2 || ld[mug.ID] != wantLines[mug.ID] || ld[pot.ID] != wantLines[pot.ID] {
			t.Fatalf("%s: line discounts %v, want %v", what, ld, wantLines)
		}
		if len(got.Merchants) != 1 || got.Merchants[0].Shipping.Amount != shipping || got.Merchants[0].Discount.Amount != discount {
			t.Fatalf("%s: merchants %+v", what, got.Merchants)
		}
	}

	s := a.shopper()
	a.addToCart(s, mug.ID, 2)
	a.addToCart(s, pot.ID, 1)
	var cart priced
	a.must(http.StatusOK, &cart, http.MethodPost, "/api/v1/cart/discount", s.Token, map[string]string{"code": code})
	check("cart", cart, cart.Items)
	if w := cart.Merchants[0].WeightGrams; w != 2300 {
		t.Fatalf("cart weighs %d g, want 2300", w)
	}

	placed := a.checkout(s, unique("key"), "pm_card_visa")
	a.waitStatus(s, placed.ID, "paid", "", 10*time.Second)
	var paid priced
	a.must(http.StatusOK, &paid, http.MethodGet, "/api/v1/orders/"+placed.ID, s.Token, nil)
	check("paid order", paid, paid.Lines)
	if act := stripeActivity(t, placed.ID); act.SucceededCharges != 1 || act.CapturedAmount != total {
		t.Fatalf("emulator: %s, want one charge of %d", describe(act), total)
	}
	a.waitAvailable(mug.ID, 8, 10*time.Second)
	a.waitAvailable(pot.ID, 4, 10*time.Second)
	if used := a.codeUses(m, code); used != 1 {
		t.Fatalf("code uses after checkout %d, want 1", used)
	}

	// Cancelling the paid order refunds all of it, shipping included, and
	// gives back the stock and the code's use.
	a.must(http.StatusOK, nil, http.MethodPost, "/api/v1/orders/"+placed.ID+"/cancel", s.Token, nil)
	if o := a.waitStatus(s, placed.ID, "refunded", "", 15*time.Second); o.PaymentStatus != "refunded" {
		t.Fatalf("payment status %q", o.PaymentStatus)
	}
	eventually(t, 10*time.Second, "the whole total refunded", func() (bool, string) {
		act := stripeActivity(t, placed.ID)
		return len(act.Refunds) == 1 && act.RefundedAmount == total && netCharged(act) == 0, describe(act)
	})
	a.waitAvailable(mug.ID, 10, 10*time.Second)
	a.waitAvailable(pot.ID, 5, 10*time.Second)
	eventually(t, 10*time.Second, "the code's use given back", func() (bool, string) {
		used := a.codeUses(m, code)
		return used == 0, fmt.Sprintf("used %d", used)
	})
}

func TestCommerceCodeRefusals(t *testing.T) {
	a := newAPI(t)
	first, second := a.merchant(), a.merchant()
	a.createWeighed(first, unique("Lamp "), 2000, 3, 900)
	shade := a.createWeighed(second, unique("Shade "), 1500, 3, 300)
	firstCode, expired := unique("A"), unique("OLD")
	a.createCode(first, firstCode, 20, 0, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	a.createCode(second, expired, 20, 0, time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour))

	s := a.shopper()
	a.addToCart(s, shade.ID, 1)
	for _, c := range []struct{ code, want string }{{firstCode, "discount_unknown"}, {expired, "discount_expired"}} {
		r := a.do(http.MethodPost, "/api/v1/cart/discount", s.Token, map[string]string{"code": c.code})
		if r.status != http.StatusConflict || problemCode(r) != c.want || r.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("code %s on the second merchant's cart: %s (%s), want 409 %s", c.code, r, r.header.Get("Content-Type"), c.want)
		}
	}
	var cart priced
	a.must(http.StatusOK, &cart, http.MethodGet, "/api/v1/cart", s.Token, nil)
	if cart.Discount.Amount != 0 || cart.Total.Amount != 1500 || len(cart.Merchants) != 1 || cart.Merchants[0].DiscountCode != "" {
		t.Fatalf("a refused code left its mark on the cart: %+v", cart)
	}
}

func TestCommerceAddressBookAndReviews(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	p := a.createWeighed(m, unique("Kettle "), 4500, 5, 1200)
	s := a.shopper()

	// The shopper saves an address; the first one is the default.
	addr := map[string]any{"name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "London", "postal_code": "N1 9GU", "country": "GB"}
	var saved struct {
		ID      string `json:"id"`
		Default bool   `json:"default"`
		City    string `json:"city"`
	}
	a.must(http.StatusCreated, &saved, http.MethodPost, "/api/v1/users/me/addresses", s.Token, addr)
	var book struct {
		Items []struct {
			ID      string `json:"id"`
			Default bool   `json:"default"`
		} `json:"items"`
	}
	a.must(http.StatusOK, &book, http.MethodGet, "/api/v1/users/me/addresses", s.Token, nil)
	if saved.ID == "" || !saved.Default || saved.City != "London" || len(book.Items) != 1 || book.Items[0].ID != saved.ID || !book.Items[0].Default {
		t.Fatalf("saved %+v, book %+v", saved, book)
	}

	a.addToCart(s, p.ID, 1)
	o := a.checkout(s, unique("key"), "pm_card_visa")
	a.waitStatus(s, o.ID, "paid", "", 10*time.Second)
	reviews := "/api/v1/products/" + p.ID + "/reviews"
	review := map[string]any{"rating": 4, "text": "Boils fast, <b>loud</b> whistle."}
	if r := a.do(http.MethodPost, reviews, s.Token, review); r.status != http.StatusForbidden || problemCode(r) != "forbidden" {
		t.Fatalf("review before shipment: %s, want 403 forbidden", r)
	}

	a.must(http.StatusOK, nil, http.MethodPost, "/api/v1/merchant/orders/"+o.ID+"/ship", m.Token, nil)
	a.waitStatus(s, o.ID, "shipped", "", 10*time.Second)
	// The catalog learns of the shipment from order.shipped: poll.
	eventually(t, 15*time.Second, "the review accepted after the shipment", func() (bool, string) {
		r := a.do(http.MethodPost, reviews, s.Token, review)
		if r.status == http.StatusForbidden {
			return false, r.String()
		}
		if r.status != http.StatusCreated {
			t.Fatalf("review after shipment: %s, want 201", r)
		}
		return true, ""
	})
	if r := a.do(http.MethodPost, reviews, s.Token, map[string]any{"rating": 1, "text": "Again"}); r.status != http.StatusConflict || problemCode(r) != "conflict" {
		t.Fatalf("second review: %s, want 409 conflict", r)
	}
	eventually(t, 10*time.Second, "the product rated once", func() (bool, string) {
		var got struct {
			Rating struct {
				Average float64 `json:"average"`
				Count   int64   `json:"count"`
			} `json:"rating"`
		}
		a.must(http.StatusOK, &got, http.MethodGet, "/api/v1/products/"+p.ID, "", nil)
		return got.Rating.Count == 1 && got.Rating.Average == 4, fmt.Sprintf("%+v", got.Rating)
	})
	var list struct {
		Items []struct {
			Rating int64  `json:"rating"`
			Text   string `json:"text"`
		} `json:"items"`
	}
	a.must(http.StatusOK, &list, http.MethodGet, reviews, "", nil)
	if len(list.Items) != 1 || list.Items[0].Rating != 4 || list.Items[0].Text != review["text"] {
		t.Fatalf("reviews %+v", list.Items)
	}
}

// TestCommerceDemoSeed: the demo seed gives every shop weighed products, its
// welcome code and weight-band rates through the real API, and a second
// run changes nothing; the demo shopper's cart prices them.
func TestCommerceDemoSeed(t *testing.T) {
	a := newAPI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	first, err := seed.Run(ctx, a.base)
	if err != nil {
		t.Fatal(err)
	}
	again, err := seed.Run(ctx, a.base)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if text := strings.Join(first, "\n"); !strings.Contains(text, "added 3 codes, 3 rate tables") {
		t.Fatalf("first run banner %q", first)
	}
	if text := strings.Join(again, "\n"); !strings.Contains(text, "(0 new)") || strings.Contains(text, "this run added") {
		t.Fatalf("second run changed something: %q (first run %q)", again, first)
	}

	login := func(email string) string {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		a.must(http.StatusOK, &tok, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": seed.Password})
		return tok.AccessToken
	}
	shop := seed.Merchants[0]
	merchant := login(shop.Email)
	var code struct {
		Kind     string    `json:"kind"`
		Percent  int64     `json:"percent"`
		Currency string    `json:"currency"`
		EndsAt   time.Time `json:"ends_at"`
	}
	a.must(http.StatusOK, &code, http.MethodGet, "/api/v1/merchant/discounts/"+seed.WelcomeCode.Code, merchant, nil)
	if code.Kind != "percentage" || code.Percent != 10 || code.Currency != currency || time.Until(code.EndsAt) < 360*24*time.Hour {
		t.Fatalf("welcome code %+v", code)
	}
	var rates struct {
		Kind  string      `json:"kind"`
		Bands []seed.Band `json:"bands"`
	}
	a.must(http.StatusOK, &rates, http.MethodGet, "/api/v1/merchant/shipping", merchant, nil)
	if rates.Kind != "weight_bands" || fmt.Sprint(rates.Bands) != fmt.Sprint(seed.ShippingBands) {
		t.Fatalf("rates %+v", rates)
	}
	var own struct {
		Items []struct {
			ID          string `json:"id"`
			SKU         string `json:"sku"`
			Name        string `json:"name"`
			WeightGrams int64  `json:"weight_grams"`
		} `json:"items"`
	}
	a.must(http.StatusOK, &own, http.MethodGet, "/api/v1/merchant/products?limit=100", merchant, nil)
	lamp := ""
	for _, p := range own.Items {
		if p.WeightGrams <= 0 {
			t.Fatalf("seed product %s (%s) has no weight", p.SKU, p.Name)
		}
		if p.Name == "Desk Lamp" {
			lamp = p.ID
		}
	}
	if len(own.Items) != len(shop.Products) || lamp == "" {
		t.Fatalf("%d products of %s, desk lamp %q", len(own.Items), shop.StoreName, lamp)
	}

	// The demo shopper's desk lamp (49.00, 1.8 kg) with the code: 4.90 off,
	// 9.90 shipping (1–5 kg).
	shopper := user{Token: login(seed.Shopper.Email)}
	a.must(http.StatusNoContent, nil, http.MethodDelete, "/api/v1/cart", shopper.Token, nil)
	a.addToCart(shopper, lamp, 1)
	var cart priced
	a.must(http.StatusOK, &cart, http.MethodPost, "/api/v1/cart/discount", shopper.Token, map[string]string{"code": "welcome10"})
	if cart.Subtotal.Amount != 4900 || cart.Discount.Amount != 490 || cart.Shipping.Amount != 990 || cart.Total.Amount != 4900-490+990 {
		t.Fatalf("demo cart %+v", cart)
	}
	a.must(http.StatusNoContent, nil, http.MethodDelete, "/api/v1/cart", shopper.Token, nil)
}

// variantProduct is a product with variants as the catalog answers it.
type variantProduct struct {
	product
	PriceRange struct {
		Min money `json:"min"`
		Max money `json:"max"`
	} `json:"price_range"`
	Variants []struct {
		ID      string            `json:"id"`
		SKU     string            `json:"sku"`
		Options map[string]string `json:"options"`
		Price   money             `json:"price"`
		Stock   struct {
			Available int64 `json:"available"`
		} `json:"stock"`
		WeightGrams int64 `json:"weight_grams"`
	} `json:"variants"`
}

// createTShirt creates a T-shirt of m (15.00, 300 g) in sizes S (10 units),
// M (17.00 and 350 g, 6 units) and L (4 units); it returns the product id
// and the variant id of each size.
func (a *api) createTShirt(m user) (string, map[string]string) {
	a.t.Helper()
	sku := unique("TEE-")
	var p variantProduct
	a.must(http.StatusCreated, &p, http.MethodPost, "/api/v1/merchant/products", m.Token, map[string]any{
		"sku": sku, "name": "T-shirt", "description": "An end-to-end product with variants", "category": "e2e",
		"price": money{1500, currency}, "stock": 0, "images": []string{}, "weight_grams": 300,
		"options": []map[string]any{{"name": "size", "values": []string{"S", "M", "L"}}},
		"variants": []map[string]any{
			{"sku": sku + "-S", "options": map[string]string{"size": "S"}, "stock": 10},
			{"sku": sku + "-M", "options": map[string]string{"size": "M"}, "stock": 6, "price": money{1700, currency}, "weight_grams": 350},
			{"sku": sku + "-L", "options": map[string]string{"size": "L"}, "stock": 4},
		},
	})
	ids := map[string]string{}
	for _, v := range p.Variants {
		ids[v.Options["size"]] = v.ID
	}
	if p.ID == "" || len(p.Variants) != 3 || len(ids) != 3 || ids["S"] == p.ID {
		a.t.Fatalf("created product with variants %+v", p)
	}
	return p.ID, ids
}

// variantLine is what a cart or order line says of its variant.
type variantLine struct {
	ProductID      string            `json:"product_id"`
	Name           string            `json:"name"`
	UnitPrice      money             `json:"unit_price"`
	Quantity       int64             `json:"quantity"`
	VariantOf      string            `json:"variant_of"`
	VariantOptions map[string]string `json:"variant_options"`
}

// Issue 18 end to end: two variants of one product and one other product,
// with a code and a weight-band shipping rate. The total is exact to the
// minor unit, each variant's stock moves on its own, the refund of the
// cancelled paid order gives both variants' units and the shipping back;
// the product with variants itself cannot be put into a cart.
func TestCommerceVariantsCodeWeightBandsAndRefund(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	tee, size := a.createTShirt(m)
	mug := a.createWeighed(m, unique("Mug "), 1249, 10, 400)
	a.must(http.StatusOK, nil, http.MethodPut, "/api/v1/merchant/shipping", m.Token, map[string]any{
		"kind": "weight_bands", "currency": currency, "bands": []map[string]int64{
			{"from_grams": 0, "to_grams": 1000, "amount": 490},
			{"from_grams": 1000, "to_grams": 5000, "amount": 990},
			{"from_grams": 5000, "amount": 1990},
		}})
	code := unique("TEN")
	a.createCode(m, code, 10, 5, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	var parent variantProduct
	a.must(http.StatusOK, &parent, http.MethodGet, "/api/v1/products/"+tee, "", nil)
	if parent.Stock.Available != 20 || parent.PriceRange.Min != (money{1500, currency}) || parent.PriceRange.Max != (money{1700, currency}) {
		t.Fatalf("product with variants %+v", parent)
	}

	// The product itself is not sold: 400 variant_required, nothing stored.
	s := a.shopper()
	r := a.do(http.MethodPut, "/api/v1/cart/items/"+tee, s.Token, map[string]int64{"quantity": 1})
	if r.status != http.StatusBadRequest || problemCode(r) != "variant_required" || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("putting the product with variants: %s (%s), want 400 variant_required", r, r.header.Get("Content-Type"))
	}
	var empty priced
	if a.must(http.StatusOK, &empty, http.MethodGet, "/api/v1/cart", s.Token, nil); len(empty.Items) != 0 {
		t.Fatalf("the refused put left %+v", empty.Items)
	}

	// 2 × S at 15.00 (300 g), 1 × M at 17.00 (350 g), 1 mug at 12.49
	// (400 g): subtotal 5949; 10% rounded down = 594, allocated in
	// proportion and rounded down (S 3000×594/5949 = 299.5 → 299, M 169.7
	// → 169, mug 124.7 → 124), the 2 units left to the two largest lines
	// (S 300, M 170); weight 600 + 350 + 400 = 1350 g, the 1–5 kg band:
	// 990; total 5949 − 594 + 990 = 6345.
	const subtotal, discount, shipping, total = 5949, 594, 990, 6345
	wantDiscounts := map[string]int64{size["S"]: 300, size["M"]: 170, mug.ID: 124}
	check := func(what string, got priced, lines []pricedLine, variants []variantLine) {
		t.Helper()
		if got.Subtotal != (money{subtotal, currency}) || got.Discount != (money{discount, currency}) ||
			got.Shipping != (money{shipping, currency}) || got.Total != (money{total, currency}) {
			t.Fatalf("%s: subtotal %v discount %v shipping %v total %v, want %d %d %d %d",
				what, got.Subtotal, got.Discount, got.Shipping, got.Total, subtotal, discount, shipping, total)
		}
		if ld := lineDiscounts(lines); len(ld) != 3 || fmt.Sprint(ld) != fmt.Sprint(wantDiscounts) {
			t.Fatalf("%s: line discounts %v, want %v", what, ld, wantDiscounts)
		}
		if len(got.Merchants) != 1 || got.Merchants[0].WeightGrams != 1350 {
			t.Fatalf("%s: merchants %+v", what, got.Merchants)
		}
		byID := map[string]variantLine{}
		for _, l := range variants {
			byID[l.ProductID] = l
		}
		sl, ml, mugl := byID[size["S"]], byID[size["M"]], byID[mug.ID]
		if sl.VariantOf != tee || sl.VariantOptions["size"] != "S" || sl.Name != "T-shirt" || sl.UnitPrice.Amount != 1500 || sl.Quantity != 2 ||
			ml.VariantOf != tee || ml.VariantOptions["size"] != "M" || ml.UnitPrice.Amount != 1700 || ml.Quantity != 1 ||
			mugl.VariantOf != "" || len(mugl.VariantOptions) != 0 {
			t.Fatalf("%s: lines %+v", what, variants)
		}
	}
	a.addToCart(s, size["S"], 2)
	a.addToCart(s, size["M"], 1)
	a.addToCart(s, mug.ID, 1)
	var cart priced
	a.must(http.StatusOK, &cart, http.MethodPost, "/api/v1/cart/discount", s.Token, map[string]string{"code": code})
	var cartLines struct {
		Items []variantLine `json:"items"`
	}
	a.must(http.StatusOK, &cartLines, http.MethodGet, "/api/v1/cart", s.Token, nil)
	check("cart", cart, cart.Items, cartLines.Items)

	placed := a.checkout(s, unique("key"), "pm_card_visa")
	a.waitStatus(s, placed.ID, "paid", "", 10*time.Second)
	var paid priced
	r = a.must(http.StatusOK, &paid, http.MethodGet, "/api/v1/orders/"+placed.ID, s.Token, nil)
	var paidLines struct {
		Lines []variantLine `json:"lines"`
	}
	if err := json.Unmarshal(r.body, &paidLines); err != nil {
		t.Fatal(err)
	}
	check("paid order", paid, paid.Lines, paidLines.Lines)
	if act := stripeActivity(t, placed.ID); act.SucceededCharges != 1 || act.CapturedAmount != total {
		t.Fatalf("emulator: %s, want one charge of %d", describe(act), total)
	}
	// Each variant's stock is its own: S 10 → 8, M 6 → 5, L untouched; the
	// product shows their sum.
	a.waitAvailable(size["S"], 8, 10*time.Second)
	a.waitAvailable(size["M"], 5, 10*time.Second)
	a.waitAvailable(size["L"], 4, 10*time.Second)
	a.waitAvailable(mug.ID, 9, 10*time.Second)
	a.waitAvailable(tee, 17, 10*time.Second)

	// Cancelling the paid order refunds all of it, shipping included, and
	// gives both variants' units back.
	a.must(http.StatusOK, nil, http.MethodPost, "/api/v1/orders/"+placed.ID+"/cancel", s.Token, nil)
	if o := a.waitStatus(s, placed.ID, "refunded", "", 15*time.Second); o.PaymentStatus != "refunded" {
		t.Fatalf("payment status %q", o.PaymentStatus)
	}
	eventually(t, 10*time.Second, "the whole total refunded", func() (bool, string) {
		act := stripeActivity(t, placed.ID)
		return len(act.Refunds) == 1 && act.RefundedAmount == total && netCharged(act) == 0, describe(act)
	})
	a.waitAvailable(size["S"], 10, 10*time.Second)
	a.waitAvailable(size["M"], 6, 10*time.Second)
	a.waitAvailable(size["L"], 4, 10*time.Second)
	a.waitAvailable(mug.ID, 10, 10*time.Second)
	a.waitAvailable(tee, 20, 10*time.Second)
}
