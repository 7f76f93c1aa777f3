package catalogclient_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/mercato-shop/mercato/orders/internal/catalogclient"
	"github.com/mercato-shop/mercato/platform/breaker"
)

// TestTheClientReadsTheCatalogsContract serves contracts/catalog-product.json,
// which catalog's tests pin to its real renderer, and reads it with the
// client, one product and a batch: what orders needs of a product (owner,
// name, price, stock, weight) must come out of the catalog's JSON as it is.
func TestTheClientReadsTheCatalogsContract(t *testing.T) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	contract, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "contracts", "catalog-product.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/v1/products/p-contract":
			_, _ = w.Write(contract)
		case r.URL.Path == "/api/v1/products" && r.URL.Query().Get("ids") == "p-contract":
			_, _ = w.Write([]byte(`{"items":[` + string(contract) + `],"next_cursor":""}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := catalogclient.New(srv.URL, breaker.Options{})
	want := catalogclient.Product{ID: "p-contract", MerchantID: "m-contract", Name: "Desk Lamp", Available: 7, WeightGrams: 1200}
	want.Price.Amount, want.Price.Currency = 2599, "USD"

	p, err := c.Product(context.Background(), "p-contract")
	if err != nil || !reflect.DeepEqual(p, want) {
		t.Fatalf("Product = %+v, %v; want %+v", p, err, want)
	}
	batch, err := c.Products(context.Background(), []string{"p-contract"})
	if err != nil || len(batch) != 1 || !reflect.DeepEqual(batch["p-contract"], want) {
		t.Fatalf("Products = %+v, %v; want %+v", batch, err, want)
	}
}
