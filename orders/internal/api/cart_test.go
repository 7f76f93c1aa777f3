package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

type money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type cartBody struct {
	Items []struct {
		ProductID string `json:"product_id"`
		Name      string `json:"name"`
		UnitPrice money  `json:"unit_price"`
		Quantity  int64  `json:"quantity"`
		LineTotal money  `json:"line_total"`
		Available bool   `json:"available"`
	} `json:"items"`
	Total       money `json:"total"`
	PricesStale bool  `json:"prices_stale"`
}

func qty(n int64) map[string]int64 { return map[string]int64{"quantity": n} }

func TestCartShowsCurrentPricesAndChecksProducts(t *testing.T) {
	e := newEnv(t)
	e.catalog.put("mug", "m1", "Mug", 1200)
	e.catalog.put("tea", "m2", "Tea", 500)
	tok := e.shopper("s1")

	cart := decode[cartBody](t, e.do(http.MethodPut, "/api/v1/cart/items/mug", tok, qty(2)), http.StatusOK)
	if len(cart.Items) != 1 || cart.Total.Amount != 2400 {
		t.Fatalf("after adding: %+v", cart)
	}
	e.do(http.MethodPut, "/api/v1/cart/items/tea", tok, qty(1))
	e.catalog.put("mug", "m1", "Mug", 1500) // the price changes
	cart = decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK)
	if len(cart.Items) != 2 || cart.Items[0].ProductID != "mug" || cart.Items[0].UnitPrice.Amount != 1500 ||
		cart.Items[0].LineTotal.Amount != 3000 || cart.Total != (money{3500, "EUR"}) || cart.PricesStale {
		t.Fatalf("cart at current prices: %+v", cart)
	}

	// A product the catalog no longer sells shows as unavailable.
	e.catalog.remove("tea")
	cart = decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK)
	if cart.Items[1].Available || cart.Total.Amount != 3000 {
		t.Fatalf("archived product: %+v", cart)
	}

	// Catalog down: the cart is still shown, at last known prices, flagged.
	e.catalog.down.Store(true)
	cart = decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK)
	if !cart.PricesStale || cart.Items[0].UnitPrice.Amount != 1200 || cart.Total.Amount != 2900 {
		t.Fatalf("catalog down: %+v", cart)
	}
	if rec := e.do(http.MethodPut, "/api/v1/cart/items/mug", tok, qty(3)); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("adding with the catalog down: %d %v", rec.Code, rec.Header())
	}
	e.catalog.down.Store(false)

	// Removing needs no catalog; 0 removes, DELETE empties.
	cart = decode[cartBody](t, e.do(http.MethodPut, "/api/v1/cart/items/tea", tok, qty(0)), http.StatusOK)
	if len(cart.Items) != 1 {
		t.Fatalf("after removing: %+v", cart)
	}
	if rec := e.do(http.MethodDelete, "/api/v1/cart", tok, nil); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d", rec.Code)
	}
	if cart = decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK); len(cart.Items) != 0 {
		t.Fatalf("after delete: %+v", cart)
	}
	// Carts are per shopper.
	if other := decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", e.shopper("s2"), nil), http.StatusOK); len(other.Items) != 0 {
		t.Fatalf("another shopper sees %+v", other)
	}
}

func TestCartRejectsBadInput(t *testing.T) {
	e := newEnv(t)
	e.catalog.put("mug", "m1", "Mug", 1200)
	tok := e.shopper("s1")
	cases := []struct {
		name   string
		path   string
		token  string
		body   any
		status int
		code   string
	}{
		{"unknown product", "/api/v1/cart/items/nope", tok, qty(1), http.StatusNotFound, "not_found"},
		{"quantity too large", "/api/v1/cart/items/mug", tok, qty(100), http.StatusBadRequest, "validation_failed"},
		{"negative quantity", "/api/v1/cart/items/mug", tok, qty(-1), http.StatusBadRequest, "validation_failed"},
		{"unknown field", "/api/v1/cart/items/mug", tok, map[string]any{"quantity": 1, "price": 1}, http.StatusBadRequest, "validation_failed"},
		{"bad product id", "/api/v1/cart/items/a.b", tok, qty(1), http.StatusBadRequest, "validation_failed"},
		{"no token", "/api/v1/cart/items/mug", "", qty(1), http.StatusUnauthorized, "unauthorized"},
		{"merchant token", "/api/v1/cart/items/mug", e.merchant("u9", "m1"), qty(1), http.StatusForbidden, "forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if code := problem(t, e.do(http.MethodPut, tc.path, tc.token, tc.body), tc.status); code != tc.code {
				t.Fatalf("code %q, want %q", code, tc.code)
			}
		})
	}
}

// A body without a quantity is a mistake, not a request to remove the
// line (that is quantity 0): it is refused and the cart keeps its line.
func TestCartLineWithoutQuantityIsRefusedAndChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.catalog.put("mug", "m1", "Mug", 1200)
	tok := e.shopper("s1")
	e.do(http.MethodPut, "/api/v1/cart/items/mug", tok, qty(2))
	for name, body := range map[string]any{
		"empty object":   map[string]any{},
		"null quantity":  map[string]any{"quantity": nil},
		"JSON null body": json.RawMessage("null"),
	} {
		if code := problem(t, e.do(http.MethodPut, "/api/v1/cart/items/mug", tok, body), http.StatusBadRequest); code != "validation_failed" {
			t.Fatalf("%s: code %q, want validation_failed", name, code)
		}
	}
	cart := decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK)
	if len(cart.Items) != 1 || cart.Items[0].Quantity != 2 {
		t.Fatalf("cart after refused bodies: %+v", cart)
	}
}
