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

// TestVariantProductsAreCreatedOnce: the first run sends the T-shirt with
// its size option and a variant per size (own SKU and stock, the L's
// price overridden, no stock on the product itself) to the merchant of
// its shop only; the second run meets the taken SKU (409) and creates
// nothing.
func TestVariantProductsAreCreatedOnce(t *testing.T) {
	var mu sync.Mutex
	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/merchant/products" {
			http.NotFound(w, r)
			return
		}
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, b := range bodies {
			if b["sku"] == body["sku"] {
				w.WriteHeader(http.StatusConflict)
				return
			}
		}
		bodies = append(bodies, body)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	c := newClient(srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if created, err := c.createVariantProducts(ctx, "token", 0, srv.URL); err != nil || created != 0 {
		t.Fatalf("a shop without variant products: %d, %v", created, err)
	}
	if created, err := c.createVariantProducts(ctx, "token", 1, srv.URL); err != nil || created != 1 {
		t.Fatalf("first run: %d, %v", created, err)
	}
	if created, err := c.createVariantProducts(ctx, "token", 1, srv.URL); err != nil || created != 0 {
		t.Fatalf("second run: %d, %v", created, err)
	}
	if line := variantsLine(0); line != "Sold in variants: Trail T-shirt (Trailhead Outfitters) in size S, M, L (0 new)" {
		t.Fatalf("banner line %q", line)
	}
	if len(bodies) != 1 {
		t.Fatalf("%d products created", len(bodies))
	}
	b := bodies[0]
	options, _ := b["options"].([]any)
	variants, _ := b["variants"].([]any)
	if b["sku"] != "TH-TEE" || b["stock"].(float64) != 0 || len(options) != 1 || len(variants) != 3 ||
		options[0].(map[string]any)["name"] != "size" || len(options[0].(map[string]any)["values"].([]any)) != 3 {
		t.Fatalf("create request %v", b)
	}
	prices := map[string]any{}
	skus := map[string]bool{}
	for _, v := range variants {
		v := v.(map[string]any)
		size := v["options"].(map[string]any)["size"].(string)
		prices[size] = v["price"]
		skus[v["sku"].(string)] = true
		if v["stock"].(float64) <= 0 {
			t.Errorf("variant %s has no stock", size)
		}
	}
	l, _ := prices["L"].(map[string]any)
	if prices["S"] != nil || prices["M"] != nil || l["amount"].(float64) != 3200 || l["currency"] != Currency || len(skus) != 3 {
		t.Fatalf("variant prices %v, skus %v", prices, skus)
	}
}

func TestDemoVariantProductsAreValid(t *testing.T) {
	for _, p := range VariantProducts {
		values := map[string]bool{}
		for _, v := range p.Variants {
			if values[v.Value] || v.Value == "" || v.Price < 0 || v.Stock < 0 {
				t.Errorf("%s: variant %+v", p.Name, v)
			}
			values[v.Value] = true
		}
		if p.Merchant < 0 || p.Merchant >= len(Merchants) || p.Price <= 0 || p.WeightGrams <= 0 || p.Option == "" || len(p.Variants) < 2 {
			t.Errorf("variant product %+v", p)
		}
	}
}
