package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/events"
)

type chargeBody struct {
	MerchantID    string `json:"merchant_id"`
	Subtotal      money  `json:"subtotal"`
	DiscountCode  string `json:"discount_code"`
	Discount      money  `json:"discount"`
	DiscountError *struct {
		Code string `json:"code"`
	} `json:"discount_error"`
	Shipping    money `json:"shipping"`
	WeightGrams int64 `json:"weight_grams"`
	Total       money `json:"total"`
}

type pricedCartBody struct {
	Items []struct {
		ProductID string `json:"product_id"`
		LineTotal money  `json:"line_total"`
		Discount  money  `json:"discount"`
	} `json:"items"`
	Merchants []chargeBody `json:"merchants"`
	Subtotal  money        `json:"subtotal"`
	Discount  money        `json:"discount"`
	Shipping  money        `json:"shipping"`
	Total     money        `json:"total"`
}

type pricedOrderBody struct {
	ID    string `json:"id"`
	Lines []struct {
		ProductID string `json:"product_id"`
		Discount  money  `json:"discount"`
	} `json:"lines"`
	Merchants []chargeBody `json:"merchants"`
	Subtotal  money        `json:"subtotal"`
	Discount  money        `json:"discount"`
	Shipping  money        `json:"shipping"`
	Total     money        `json:"total"`
}

func percentCode(code string, percent int64) map[string]any {
	return map[string]any{"code": code, "kind": "percentage", "percent": percent, "currency": "EUR"}
}

// createCode creates a code as merchant and fails the test otherwise.
func (e *env) createCode(merchant string, body map[string]any) {
	e.t.Helper()
	if rec := e.do(http.MethodPost, "/api/v1/merchant/discounts", e.merchant("u-"+merchant, merchant), body); rec.Code != http.StatusCreated {
		e.t.Fatalf("create code: %d %s", rec.Code, rec.Body)
	}
}

func (e *env) applyCode(token, code string) *httptest.ResponseRecorder {
	return e.do(http.MethodPost, "/api/v1/cart/discount", token, map[string]string{"code": code})
}

func TestDiscountCodesAreTheMerchantsOwnAndBadCodesAreRefused(t *testing.T) {
	e := newEnv(t)
	m1 := e.merchant("u1", "m1")
	bad := map[string]map[string]any{
		"101%":          percentCode("OVER", 101),
		"0%":            percentCode("ZERO", 0),
		"fractional %":  {"code": "HALF", "kind": "percentage", "percent": 10.5, "currency": "EUR"},
		"negative off":  {"code": "NEG", "kind": "fixed", "amount_off": -500, "currency": "EUR"},
		"unknown kind":  {"code": "BOGO", "kind": "bogo", "currency": "EUR"},
		"unknown field": {"code": "SNEAK", "kind": "percentage", "percent": 10, "currency": "EUR", "used": -100},
		"bad code":      percentCode("a b", 10),
		"window":        {"code": "WIN", "kind": "percentage", "percent": 10, "currency": "EUR", "starts_at": "2026-01-02T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z"},
	}
	for name, body := range bad {
		if code := problem(t, e.do(http.MethodPost, "/api/v1/merchant/discounts", m1, body), http.StatusBadRequest); code != "validation_failed" {
			t.Fatalf("%s: code %q", name, code)
		}
	}
	list := decode[struct {
		Items []map[string]any `json:"items"`
	}](t, e.do(http.MethodGet, "/api/v1/merchant/discounts", m1, nil), http.StatusOK)
	if len(list.Items) != 0 {
		t.Fatalf("refused codes were stored: %v", list.Items)
	}

	created := decode[map[string]any](t, e.do(http.MethodPost, "/api/v1/merchant/discounts", m1, percentCode("summer10", 10)), http.StatusCreated)
	if created["code"] != "SUMMER10" || created["merchant_id"] != "m1" || created["used"] != float64(0) {
		t.Fatalf("created %v", created)
	}
	if code := problem(t, e.do(http.MethodPost, "/api/v1/merchant/discounts", m1, percentCode("SUMMER10", 20)), http.StatusConflict); code != "conflict" {
		t.Fatalf("a second SUMMER10: %q", code)
	}
	upd := decode[map[string]any](t, e.do(http.MethodPut, "/api/v1/merchant/discounts/summer10", m1,
		map[string]any{"kind": "fixed", "amount_off": 500, "currency": "EUR", "usage_limit": 3}), http.StatusOK)
	if upd["kind"] != "fixed" || upd["amount_off"] != float64(500) || upd["usage_limit"] != float64(3) {
		t.Fatalf("updated %v", upd)
	}
	if code := problem(t, e.do(http.MethodPut, "/api/v1/merchant/discounts/SUMMER10", m1, percentCode("OTHER", 5)), http.StatusBadRequest); code != "validation_failed" {
		t.Fatalf("rename: %q", code)
	}
	m2 := e.merchant("u2", "m2")
	if code := problem(t, e.do(http.MethodGet, "/api/v1/merchant/discounts/SUMMER10", m2, nil), http.StatusNotFound); code != "not_found" {
		t.Fatalf("m2 reads m1's code: %q", code)
	}
	if code := problem(t, e.do(http.MethodDelete, "/api/v1/merchant/discounts/SUMMER10", m2, nil), http.StatusNotFound); code != "not_found" {
		t.Fatalf("m2 deletes m1's code: %q", code)
	}
	if rec := e.do(http.MethodDelete, "/api/v1/merchant/discounts/SUMMER10", m1, nil); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d", rec.Code)
	}
	if code := problem(t, e.do(http.MethodGet, "/api/v1/merchant/discounts/SUMMER10", m1, nil), http.StatusNotFound); code != "not_found" {
		t.Fatalf("after delete: %q", code)
	}
}

// The worked example: m1 sells a mug (12.99, 400 g) ×2 and tea (3.33,
// 100 g) with weight bands and a 10% code; m2 sells a pen (5.00) ×3 at a
// flat 4.50.
//
//	m1: 2598 + 333 = 2931; 10% = 293 (293.1 rounded down), allocated
//	    260 to the mug (259 + the 1 left, the larger line) and 33 to the
//	    tea; 900 g → the 0–1000 g band, 390. m1 owes 2931 − 293 + 390 = 3028.
//	m2: 1500 + 450 = 1950.
//	Total 4978.
func TestCheckoutChargesTheLinesLessTheDiscountPlusTheShipping(t *testing.T) {
	e := newEnv(t)
	e.catalog.putWeighing("mug", "m1", "Mug", 1299, 400)
	e.catalog.putWeighing("tea", "m1", "Tea", 333, 100)
	e.catalog.putWeighing("pen", "m2", "Pen", 500, 20)
	decode[map[string]any](t, e.do(http.MethodPut, "/api/v1/merchant/shipping", e.merchant("u1", "m1"), weightBands()), http.StatusOK)
	decode[map[string]any](t, e.do(http.MethodPut, "/api/v1/merchant/shipping", e.merchant("u2", "m2"),
		map[string]any{"kind": "flat", "currency": "EUR", "amount": 450}), http.StatusOK)
	e.createCode("m1", percentCode("TEN", 10))
	tok := e.shopper("s1")
	for _, it := range []struct {
		id string
		n  int64
	}{{"mug", 2}, {"tea", 1}, {"pen", 3}} {
		if rec := e.do(http.MethodPut, "/api/v1/cart/items/"+it.id, tok, qty(it.n)); rec.Code != http.StatusOK {
			t.Fatalf("add %s: %d %s", it.id, rec.Code, rec.Body)
		}
	}
	cart := decode[pricedCartBody](t, e.applyCode(tok, "ten"), http.StatusOK)
	if cart.Total != (money{4978, "EUR"}) || cart.Discount.Amount != 293 || cart.Shipping.Amount != 840 || cart.Subtotal.Amount != 4431 {
		t.Fatalf("cart %+v", cart)
	}
	discounts := map[string]int64{}
	for _, it := range cart.Items {
		discounts[it.ProductID] = it.Discount.Amount
	}
	if discounts["mug"] != 260 || discounts["tea"] != 33 || discounts["pen"] != 0 {
		t.Fatalf("line discounts %v", discounts)
	}
	// Items added within one millisecond may come in either order.
	charges := map[string]chargeBody{}
	for _, c := range cart.Merchants {
		charges[c.MerchantID] = c
	}
	if m1, m2 := charges["m1"], charges["m2"]; len(charges) != 2 || m1.DiscountCode != "TEN" || m1.Total.Amount != 3028 ||
		m1.WeightGrams != 900 || m1.Shipping.Amount != 390 || m2.Shipping.Amount != 450 || m2.DiscountCode != "" || m2.Total.Amount != 1950 {
		t.Fatalf("merchants %+v", cart.Merchants)
	}

	o := decode[pricedOrderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"), http.StatusAccepted)
	if o.Total != (money{4978, "EUR"}) || o.Discount.Amount != 293 || o.Shipping.Amount != 840 || o.Subtotal.Amount != 4431 || len(o.Merchants) != 2 {
		t.Fatalf("order %+v", o)
	}
	var lineSum int64
	for _, l := range o.Lines {
		lineSum += l.Discount.Amount
	}
	if lineSum != 293 {
		t.Fatalf("line discounts add up to %d", lineSum)
	}
	// The merchant sees its own part.
	list := decode[struct {
		Items []pricedOrderBody `json:"items"`
	}](t, e.do(http.MethodGet, "/api/v1/merchant/orders", e.merchant("u1", "m1"), nil), http.StatusOK)
	if len(list.Items) != 1 || list.Items[0].Total.Amount != 3028 || list.Items[0].Shipping.Amount != 390 || len(list.Items[0].Lines) != 2 {
		t.Fatalf("m1 sees %+v", list.Items)
	}
	// order.placed carries the charges; payment is requested for the total.
	placed := outboxEvent[events.OrderPlaced](t, e, o.ID, events.TypeOrderPlaced)
	var placedShipping, placedDiscount int64
	for _, c := range placed.Charges {
		placedShipping += c.Shipping.Amount
	}
	for _, l := range placed.Lines {
		placedDiscount += l.Discount.Amount
	}
	if placed.Total.Amount != 4978 || len(placed.Charges) != 2 || placedShipping != 840 || placedDiscount != 293 {
		t.Fatalf("order.placed %+v", placed)
	}
	e.pay(o.ID)
	// A paid order cancelled by its shopper is refunded in full, shipping
	// included, and gives its code's use back.
	decode[orderBody](t, e.do(http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", tok, nil), http.StatusOK)
	refund := outboxEvent[events.OrderRefundRequested](t, e, o.ID, events.TypeOrderRefundRequested)
	if refund.Amount != (events.Money{Amount: 4978, Currency: "EUR"}) {
		t.Fatalf("refund %+v", refund)
	}
	code := decode[map[string]any](t, e.do(http.MethodGet, "/api/v1/merchant/discounts/TEN", e.merchant("u1", "m1"), nil), http.StatusOK)
	if code["used"] != float64(0) {
		t.Fatalf("after the cancel the code counts %v uses", code["used"])
	}
}

// outboxEvent decodes the event of eventType in an order's outbox (the
// test runs no relay, so every event stays there).
func outboxEvent[T any](t *testing.T, e *env, orderID, eventType string) T {
	t.Helper()
	var doc struct {
		Outbox []struct {
			Payload string `bson:"payload"`
		} `bson:"outbox"`
	}
	if err := e.db.Read.Collection(store.OrdersCollection).FindOne(context.Background(), bson.M{"_id": orderID}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for _, entry := range doc.Outbox {
		env, err := events.Parse([]byte(entry.Payload))
		if err != nil {
			t.Fatal(err)
		}
		if env.Type == eventType {
			var data T
			if err := env.Decode(&data); err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
	t.Fatalf("no %s in the outbox of %s", eventType, orderID)
	var zero T
	return zero
}

func TestACodeDiscountsOnlyItsMerchantsLines(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.catalog.put("mug", "m1", "Mug", 1200)
	e.catalog.put("tea", "m2", "Tea", 500)
	e.createCode("m2", percentCode("TEA50", 50))
	e.do(http.MethodPut, "/api/v1/cart/items/mug", tok, qty(1))
	// Only m1's lines: m2's code is unknown to this cart, and stays off it.
	if code := problem(t, e.applyCode(tok, "TEA50"), http.StatusConflict); code != "discount_unknown" {
		t.Fatalf("m2's code on m1's lines: %q", code)
	}
	if cart := decode[pricedCartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK); cart.Discount.Amount != 0 || cart.Total.Amount != 1200 {
		t.Fatalf("cart %+v", cart)
	}
	e.do(http.MethodPut, "/api/v1/cart/items/tea", tok, qty(1))
	cart := decode[pricedCartBody](t, e.applyCode(tok, "TEA50"), http.StatusOK)
	if cart.Discount.Amount != 250 || cart.Items[0].Discount.Amount != 0 || cart.Items[1].Discount.Amount != 250 || cart.Total.Amount != 1450 {
		t.Fatalf("m2's code on a mixed cart %+v", cart)
	}
	// Removing it restores the price.
	if cart := decode[pricedCartBody](t, e.do(http.MethodDelete, "/api/v1/cart/discount/tea50", tok, nil), http.StatusOK); cart.Discount.Amount != 0 || cart.Total.Amount != 1700 {
		t.Fatalf("after removing %+v", cart)
	}
	for name, body := range map[string]any{"no code": map[string]any{}, "bad code": map[string]any{"code": "$x"}, "extra": map[string]any{"code": "TEA50", "percent": 100}} {
		if code := problem(t, e.do(http.MethodPost, "/api/v1/cart/discount", tok, body), http.StatusBadRequest); code != "validation_failed" {
			t.Fatalf("%s: %q", name, code)
		}
	}
}

func TestExpiredAndExhaustedCodesAreConflictsWithStableCodes(t *testing.T) {
	e := newEnv(t)
	e.catalog.put("mug", "m1", "Mug", 1200)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	e.createCode("m1", map[string]any{"code": "OLD", "kind": "fixed", "amount_off": 100, "currency": "EUR", "ends_at": past})
	e.createCode("m1", map[string]any{"code": "ONCE", "kind": "fixed", "amount_off": 100, "currency": "EUR", "usage_limit": 1})
	e.createCode("m1", map[string]any{"code": "BIG", "kind": "fixed", "amount_off": 100, "currency": "EUR", "min_subtotal": 5000})
	a, b := e.shopper("a"), e.shopper("b")
	for _, tok := range []string{a, b} {
		e.do(http.MethodPut, "/api/v1/cart/items/mug", tok, qty(1))
	}
	if code := problem(t, e.applyCode(a, "OLD"), http.StatusConflict); code != "discount_expired" {
		t.Fatalf("expired: %q", code)
	}
	if code := problem(t, e.applyCode(a, "BIG"), http.StatusConflict); code != "discount_minimum_not_met" {
		t.Fatalf("minimum: %q", code)
	}
	if code := problem(t, e.applyCode(a, "NOPE"), http.StatusConflict); code != "discount_unknown" {
		t.Fatalf("unknown: %q", code)
	}
	// Both apply the one-use code; a checks out first, b is refused at
	// checkout and nothing is stored for b.
	decode[pricedCartBody](t, e.applyCode(a, "ONCE"), http.StatusOK)
	decode[pricedCartBody](t, e.applyCode(b, "ONCE"), http.StatusOK)
	first := decode[pricedOrderBody](t, e.do(http.MethodPost, "/api/v1/checkout", a, checkoutBody("pm_card_visa"), "Idempotency-Key", "k"), http.StatusAccepted)
	if first.Total.Amount != 1100 {
		t.Fatalf("a's order %+v", first)
	}
	rec := e.do(http.MethodPost, "/api/v1/checkout", b, checkoutBody("pm_card_visa"), "Idempotency-Key", "k")
	if code := problem(t, rec, http.StatusConflict); code != "discount_exhausted" || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("b's checkout: %q %v", code, rec.Header())
	}
	if n := e.countOrders("b"); n != 0 {
		t.Fatalf("b has %d orders", n)
	}
	if cart := decode[pricedCartBody](t, e.do(http.MethodGet, "/api/v1/cart", b, nil), http.StatusOK); len(cart.Merchants) != 1 ||
		cart.Merchants[0].DiscountError == nil || cart.Merchants[0].DiscountError.Code != "discount_exhausted" || cart.Total.Amount != 1200 {
		t.Fatalf("b's cart %+v", cart)
	}
	if code := problem(t, e.applyCode(e.shopper("c"), "ONCE"), http.StatusConflict); code != "discount_unknown" {
		t.Fatalf("a shopper with an empty cart: %q", code)
	}
	// a cancels: the use comes back and b's checkout goes through.
	decode[orderBody](t, e.do(http.MethodPost, "/api/v1/orders/"+first.ID+"/cancel", a, nil), http.StatusOK)
	if o := decode[pricedOrderBody](t, e.do(http.MethodPost, "/api/v1/checkout", b, checkoutBody("pm_card_visa"), "Idempotency-Key", "k"), http.StatusAccepted); o.Total.Amount != 1100 {
		t.Fatalf("b's order %+v", o)
	}
}

// A cancel by the saga gives the use back once, however often its event
// is delivered.
func TestACancelledOrderGivesItsUseBackOnce(t *testing.T) {
	e := newEnv(t)
	e.catalog.put("mug", "m1", "Mug", 1200)
	e.createCode("m1", map[string]any{"code": "TWO", "kind": "percentage", "percent": 5, "currency": "EUR", "usage_limit": 2})
	used := func() any {
		return decode[map[string]any](t, e.do(http.MethodGet, "/api/v1/merchant/discounts/TWO", e.merchant("u1", "m1"), nil), http.StatusOK)["used"]
	}
	var orders []string
	for _, s := range []string{"s1", "s2"} {
		tok := e.shopper(s)
		e.do(http.MethodPut, "/api/v1/cart/items/mug", tok, qty(1))
		decode[pricedCartBody](t, e.applyCode(tok, "TWO"), http.StatusOK)
		o := decode[pricedOrderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k"), http.StatusAccepted)
		if o.Total.Amount != 1140 {
			t.Fatalf("order %+v", o)
		}
		orders = append(orders, o.ID)
	}
	if used() != float64(2) {
		t.Fatalf("used %v after two orders", used())
	}
	for range 3 { // stock.rejected, delivered three times
		if err := e.svc.StockRejected(context.Background(), events.StockRejected{OrderID: orders[0]}); err != nil {
			t.Fatal(err)
		}
	}
	if used() != float64(1) {
		t.Fatalf("used %v after one cancelled order, want 1", used())
	}
}
