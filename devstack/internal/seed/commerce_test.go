package seed

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeShop answers the merchant endpoints commerce calls like orders and
// the catalog do, and records what was asked of it.
type fakeShop struct {
	mu       sync.Mutex
	codes    map[string]map[string]any
	rates    map[string]any
	products []listedProduct
	calls    []string
}

func (f *fakeShop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, r.Method+" "+r.URL.Path)
	var body map[string]any
	if raw, _ := io.ReadAll(r.Body); len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
	}
	reply := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/merchant/discounts":
		code, _ := body["code"].(string)
		if _, ok := f.codes[code]; ok {
			reply(http.StatusConflict, map[string]string{"code": "conflict"})
			return
		}
		f.codes[code] = body
		reply(http.StatusCreated, body)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/merchant/shipping":
		if f.rates == nil {
			reply(http.StatusNotFound, map[string]string{"code": "not_found"})
			return
		}
		reply(http.StatusOK, f.rates)
	case r.Method == http.MethodPut && r.URL.Path == "/api/v1/merchant/shipping":
		f.rates = body
		reply(http.StatusOK, body)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/merchant/products":
		reply(http.StatusOK, map[string]any{"items": f.products, "next_cursor": ""})
	case r.Method == http.MethodPatch:
		for i, p := range f.products {
			if r.URL.Path == "/api/v1/merchant/products/"+p.ID {
				f.products[i].WeightGrams = int64(body["weight_grams"].(float64))
				reply(http.StatusOK, f.products[i])
				return
			}
		}
		reply(http.StatusNotFound, map[string]string{"code": "not_found"})
	default:
		reply(http.StatusNotFound, map[string]string{"code": "not_found"})
	}
}

// TestCommerceSetsUpOnceAndLeavesChangesAlone: the first run creates the
// code and the rate table and weighs the seed products without a weight;
// a second run changes nothing (the code exists, a table is set, every
// product weighs something), even when the merchant changed the table.
func TestCommerceSetsUpOnceAndLeavesChangesAlone(t *testing.T) {
	m := Merchants[0]
	shop := &fakeShop{codes: map[string]map[string]any{}, products: []listedProduct{
		{ID: "p1", SKU: sku(m, 0)},                    // seeded before weights existed
		{ID: "p2", SKU: sku(m, 1), WeightGrams: 1234}, // weighed by the merchant
		{ID: "p3", SKU: "OWN-1"},                      // the merchant's own product
	}}
	srv := httptest.NewServer(shop)
	defer srv.Close()
	c := newClient(srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

	got, err := c.commerce(ctx, "token", m, now)
	if err != nil {
		t.Fatal(err)
	}
	if !got.code || !got.rates || got.weights != 1 {
		t.Fatalf("first run set up %+v, want code, rates and 1 weight", got)
	}
	code := shop.codes[WelcomeCode.Code]
	starts, _ := time.Parse(time.RFC3339, code["starts_at"].(string))
	ends, _ := time.Parse(time.RFC3339, code["ends_at"].(string))
	if code["kind"] != "percentage" || code["percent"].(float64) != 10 || code["currency"] != Currency ||
		!starts.Equal(now) || ends.Sub(starts) != 365*24*time.Hour || code["usage_limit"].(float64) < 1000 {
		t.Fatalf("code sent %v", code)
	}
	bands, _ := shop.rates["bands"].([]any)
	if shop.rates["kind"] != "weight_bands" || shop.rates["currency"] != Currency || len(bands) != 3 {
		t.Fatalf("rates sent %v", shop.rates)
	}
	if last := bands[2].(map[string]any); last["to_grams"] != nil || last["from_grams"].(float64) != 5000 || last["amount"].(float64) != 1990 {
		t.Fatalf("last band %v, want open from 5000 g at 1990", last)
	}
	if w := shop.products; w[0].WeightGrams != m.Products[0].WeightGrams || w[1].WeightGrams != 1234 || w[2].WeightGrams != 0 {
		t.Fatalf("weights after the first run %+v", w)
	}

	shop.rates = map[string]any{"kind": "flat", "currency": Currency, "amount": 300} // the merchant's own choice
	before := len(shop.calls)
	got, err = c.commerce(ctx, "token", m, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.code || got.rates || got.weights != 0 {
		t.Fatalf("second run set up %+v, want nothing", got)
	}
	for _, call := range shop.calls[before:] {
		if call == "PUT /api/v1/merchant/shipping" || call[:5] == "PATCH" {
			t.Fatalf("second run wrote %s (calls %v)", call, shop.calls[before:])
		}
	}
	if shop.rates["kind"] != "flat" {
		t.Fatalf("the merchant's table was replaced: %v", shop.rates)
	}
}

func TestDemoWeightsAndBandsAreValid(t *testing.T) {
	for _, m := range Merchants {
		for _, p := range m.Products {
			if p.WeightGrams <= 0 || p.WeightGrams > 1_000_000 {
				t.Errorf("%s weighs %d g", p.Name, p.WeightGrams)
			}
		}
	}
	next := int64(0)
	for i, b := range ShippingBands {
		last := i == len(ShippingBands)-1
		if b.FromGrams != next || (b.ToGrams == 0) != last || (!last && b.ToGrams <= b.FromGrams) || b.Amount <= 0 {
			t.Fatalf("band %d %+v: bands must be contiguous from 0 g, only the last open", i, b)
		}
		next = b.ToGrams
	}
	if got := bandsText(); got != "<1 kg 4.90, <5 kg 9.90, heavier 19.90" {
		t.Fatalf("bands for people %q", got)
	}
}
