package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/catalog/internal/usecase"
)

// TestProductWeight: a merchant sets a product's weight on create and by
// PATCH; it is stored, shown to the merchant and to shoppers, and carried
// in the product event's snapshot. Out-of-range or non-integer weights are
// 400 problems and store nothing.
func TestProductWeight(t *testing.T) {
	s := newServer(t)
	mp := "/api/v1/merchant/products"
	heavy := s.create(s.merchantA, mergeBody(productBody("ANVIL", "Anvil", "Tools", 9900, 3), "weight_grams", 1_000_000))
	light := s.create(s.merchantA, productBody("FEATHER", "Feather", "Tools", 100, 3))

	weightOf := func(path, token string) float64 {
		t.Helper()
		status, out := s.do(http.MethodGet, path, token, nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, status, out)
		}
		w, ok := out["weight_grams"].(float64)
		if !ok {
			t.Fatalf("GET %s: no weight_grams in %v", path, out)
		}
		return w
	}
	if w := weightOf(mp+"/"+heavy, s.merchantA); w != 1_000_000 {
		t.Fatalf("merchant view weight %v, want 1000000", w)
	}
	if w := weightOf("/api/v1/products/"+heavy, ""); w != 1_000_000 {
		t.Fatalf("public view weight %v, want 1000000", w)
	}
	if w := weightOf("/api/v1/products/"+light, ""); w != 0 {
		t.Fatalf("default weight %v, want 0", w)
	}

	bad := []struct {
		name string
		body any
	}{
		{"negative", mergeBody(productBody("W1", "W", "tools", 100, 1), "weight_grams", -1)},
		{"over a tonne", mergeBody(productBody("W2", "W", "tools", 100, 1), "weight_grams", 1_000_001)},
		{"fraction", `{"sku":"W3","name":"W","category":"tools","price":{"amount":100,"currency":"USD"},"weight_grams":1.5}`},
		{"string", `{"sku":"W4","name":"W","category":"tools","price":{"amount":100,"currency":"USD"},"weight_grams":"heavy"}`},
	}
	for _, b := range bad {
		status, out := s.do(http.MethodPost, mp, s.merchantA, b.body)
		if status != http.StatusBadRequest || out["code"] != "validation_failed" {
			t.Fatalf("create %s: %d %v, want 400 validation_failed", b.name, status, out)
		}
	}
	status, out := s.do(http.MethodPost, mp, s.merchantA, mergeBody(productBody("W5", "W", "tools", 100, 1), "weight_grams", -5))
	if status != http.StatusBadRequest || !strings.Contains(mustJSON(t, out["errors"]), `"weight_grams"`) {
		t.Fatalf("create negative: %d %v, want a weight_grams field error", status, out)
	}
	if _, out := s.do(http.MethodGet, mp, s.merchantA, nil); len(itemIDs(out)) != 2 {
		t.Fatalf("a refused create stored a product: %v", itemIDs(out))
	}

	status, out = s.do(http.MethodPatch, mp+"/"+light, s.merchantA, map[string]any{"weight_grams": 250})
	if status != http.StatusOK || out["weight_grams"].(float64) != 250 || out["name"] != "Feather" {
		t.Fatalf("patch weight: %d %v", status, out)
	}
	for _, body := range []any{map[string]any{"weight_grams": -1}, map[string]any{"weight_grams": 2_000_000, "name": "Renamed"}, `{"weight_grams":0.5}`} {
		if status, out := s.do(http.MethodPatch, mp+"/"+light, s.merchantA, body); status != http.StatusBadRequest || out["code"] != "validation_failed" {
			t.Fatalf("patch %v: %d %v, want 400", body, status, out)
		}
	}
	stored, err := s.store.OwnedProduct(context.Background(), "mA", light)
	if err != nil {
		t.Fatal(err)
	}
	if stored.WeightGrams != 250 || stored.Name != "Feather" {
		t.Fatalf("stored after refused patches: weight %d name %q, want 250 Feather", stored.WeightGrams, stored.Name)
	}
	if w := weightOf("/api/v1/products/"+light, ""); w != 250 {
		t.Fatalf("public view after patch %v, want 250", w)
	}
	if status, out := s.do(http.MethodPatch, mp+"/"+light, s.merchantA, map[string]any{"weight_grams": 0}); status != http.StatusOK || out["weight_grams"].(float64) != 0 {
		t.Fatalf("patch weight to 0: %d %v", status, out)
	}

	// The event snapshot carries the weight, and leaves it out when 0
	// (additive: v1 consumers see the same JSON as before).
	p, err := s.store.OwnedProduct(context.Background(), "mA", heavy)
	if err != nil {
		t.Fatal(err)
	}
	if ev := usecase.ProductEvent(p); ev.WeightGrams != 1_000_000 {
		t.Fatalf("event snapshot weight %d, want 1000000", ev.WeightGrams)
	}
	p.WeightGrams = 0
	if raw := mustJSON(t, usecase.ProductEvent(p)); strings.Contains(raw, "weight_grams") {
		t.Fatalf("a weightless snapshot names the weight: %s", raw)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
