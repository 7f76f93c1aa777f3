package catalogclient_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/mercato-shop/mercato/orders/internal/catalogclient"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/breaker"
)

const mug = `{"id":"mug","merchant_id":"m1","name":"Mug","price":{"amount":1200,"currency":"EUR"},"stock":{"available":7},"sku":"X"}`

func TestClientReadsProductsAndMapsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v1/products/mug":
			_, _ = w.Write([]byte(mug))
		case r.URL.Path == "/api/v1/products" && r.URL.Query().Get("ids") == "mug,gone":
			_, _ = w.Write([]byte(`{"items":[` + mug + `],"next_cursor":""}`))
		case r.URL.Path == "/api/v1/products" && r.URL.Query().Get("ids") == "mug":
			_, _ = w.Write([]byte(`[` + mug + `]`))
		case r.URL.Path == "/api/v1/products/broken":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := catalogclient.New(srv.URL, breaker.Options{})
	ctx := context.Background()

	p, err := c.Product(ctx, "mug")
	want := catalogclient.Product{ID: "mug", MerchantID: "m1", Name: "Mug", Available: 7}
	want.Price.Amount, want.Price.Currency = 1200, "EUR"
	if err != nil || !reflect.DeepEqual(p, want) {
		t.Fatalf("Product = %+v, %v", p, err)
	}
	if _, err := c.Product(ctx, "gone"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing product: %v", err)
	}
	if _, err := c.Product(ctx, "broken"); !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("5xx: %v", err)
	}
	for _, ids := range [][]string{{"mug", "gone"}, {"mug"}} {
		got, err := c.Products(ctx, ids)
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got["mug"], want) {
			t.Fatalf("Products(%v) = %+v, %v", ids, got, err)
		}
	}
	if got, err := c.Products(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no ids: %v %v", got, err)
	}
}

// weight_grams is optional: a catalog that sends it gives the unit weight,
// one that does not (or sends nonsense) gives 0.
func TestClientReadsTheOptionalWeight(t *testing.T) {
	bodies := map[string]string{
		"/api/v1/products/heavy": `{"id":"heavy","merchant_id":"m1","name":"Anvil","price":{"amount":1,"currency":"EUR"},"weight_grams":25000}`,
		"/api/v1/products/odd":   `{"id":"odd","merchant_id":"m1","name":"Odd","price":{"amount":1,"currency":"EUR"},"weight_grams":-5}`,
		"/api/v1/products/mug":   mug,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(bodies[r.URL.Path])) }))
	defer srv.Close()
	c := catalogclient.New(srv.URL, breaker.Options{})
	for id, want := range map[string]int64{"heavy": 25000, "odd": 0, "mug": 0} {
		if p, err := c.Product(context.Background(), id); err != nil || p.WeightGrams != want {
			t.Errorf("%s: weight %d, %v; want %d", id, p.WeightGrams, err, want)
		}
	}
}
