package api_test

import (
	"net/http"
	"testing"
)

// weightBands is a rate table of three bands, the last one open.
func weightBands() map[string]any {
	return map[string]any{"kind": "weight_bands", "currency": "EUR", "bands": []map[string]any{
		{"from_grams": 0, "to_grams": 1000, "amount": 390},
		{"from_grams": 1000, "to_grams": 5000, "amount": 690},
		{"from_grams": 5000, "amount": 1490},
	}}
}

func TestShippingRatesAreTheMerchantsOwnAndBadTablesAreRefused(t *testing.T) {
	e := newEnv(t)
	m1 := e.merchant("u1", "m1")
	bad := map[string]any{
		"overlapping bands": map[string]any{"kind": "weight_bands", "currency": "EUR", "bands": []map[string]any{
			{"from_grams": 0, "to_grams": 1000, "amount": 390}, {"from_grams": 500, "amount": 690}}},
		"gap between bands": map[string]any{"kind": "weight_bands", "currency": "EUR", "bands": []map[string]any{
			{"from_grams": 0, "to_grams": 1000, "amount": 390}, {"from_grams": 1500, "amount": 690}}},
		"negative price":  map[string]any{"kind": "flat", "currency": "EUR", "amount": -1},
		"unknown kind":    map[string]any{"kind": "pigeon", "currency": "EUR"},
		"unknown field":   map[string]any{"kind": "flat", "currency": "EUR", "amount": 100, "merchant_id": "m2"},
		"bad currency":    map[string]any{"kind": "flat", "currency": "euro", "amount": 100},
		"fractional":      map[string]any{"kind": "flat", "currency": "EUR", "amount": 1.5},
		"bands when flat": map[string]any{"kind": "flat", "currency": "EUR", "amount": 100, "bands": []map[string]any{{"from_grams": 0, "amount": 1}}},
	}
	for name, body := range bad {
		if code := problem(t, e.do(http.MethodPut, "/api/v1/merchant/shipping", m1, body), http.StatusBadRequest); code != "validation_failed" {
			t.Fatalf("%s: code %q", name, code)
		}
	}
	if code := problem(t, e.do(http.MethodGet, "/api/v1/merchant/shipping", m1, nil), http.StatusNotFound); code != "not_found" {
		t.Fatalf("refused tables stored something: %q", code)
	}
	got := decode[map[string]any](t, e.do(http.MethodPut, "/api/v1/merchant/shipping", m1, weightBands()), http.StatusOK)
	if got["kind"] != "weight_bands" || len(got["bands"].([]any)) != 3 {
		t.Fatalf("put: %v", got)
	}
	if got := decode[map[string]any](t, e.do(http.MethodGet, "/api/v1/merchant/shipping", m1, nil), http.StatusOK); got["merchant_id"] != "m1" {
		t.Fatalf("get: %v", got)
	}
	if code := problem(t, e.do(http.MethodGet, "/api/v1/merchant/shipping", e.merchant("u2", "m2"), nil), http.StatusNotFound); code != "not_found" {
		t.Fatalf("m2 sees m1's rates: %q", code)
	}
	if code := problem(t, e.do(http.MethodPut, "/api/v1/merchant/shipping", e.shopper("s1"), weightBands()), http.StatusForbidden); code != "forbidden" {
		t.Fatalf("a shopper set rates: %q", code)
	}
	if rec := e.do(http.MethodDelete, "/api/v1/merchant/shipping", m1, nil); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d", rec.Code)
	}
}

// A shipment the merchant's bands do not cover is shown in the cart and
// refused at checkout with shipping_unavailable, creating nothing.
func TestAShipmentBeyondTheBandsCannotBeCheckedOut(t *testing.T) {
	e := newEnv(t)
	e.catalog.putWeighing("anvil", "m1", "Anvil", 5000, 1500)
	decode[map[string]any](t, e.do(http.MethodPut, "/api/v1/merchant/shipping", e.merchant("u1", "m1"), map[string]any{
		"kind": "weight_bands", "currency": "EUR", "bands": []map[string]any{{"from_grams": 0, "to_grams": 2000, "amount": 700}}}), http.StatusOK)
	tok := e.shopper("s1")
	type quoted struct {
		Merchants []struct {
			Shipping      money `json:"shipping"`
			ShippingError *struct {
				Code string `json:"code"`
			} `json:"shipping_error"`
		} `json:"merchants"`
		Total money `json:"total"`
	}
	cart := decode[quoted](t, e.do(http.MethodPut, "/api/v1/cart/items/anvil", tok, qty(1)), http.StatusOK)
	if cart.Merchants[0].Shipping.Amount != 700 || cart.Merchants[0].ShippingError != nil || cart.Total.Amount != 5700 {
		t.Fatalf("one anvil: %+v", cart)
	}
	cart = decode[quoted](t, e.do(http.MethodPut, "/api/v1/cart/items/anvil", tok, qty(2)), http.StatusOK)
	if e := cart.Merchants[0].ShippingError; e == nil || e.Code != "shipping_unavailable" {
		t.Fatalf("two anvils: %+v", cart)
	}
	rec := e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k")
	if code := problem(t, rec, http.StatusConflict); code != "shipping_unavailable" {
		t.Fatalf("3 kg: %q", code)
	}
	if n := e.countOrders("s1"); n != 0 {
		t.Fatalf("%d orders", n)
	}
}
