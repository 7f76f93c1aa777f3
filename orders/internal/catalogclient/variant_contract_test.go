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
	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/breaker"
)

// contract reads contracts/<name>, which catalog's tests render with its
// real renderer.
func contract(t *testing.T, name string) []byte {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	body, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "contracts", name))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// serveOne answers GET /api/v1/products/{id} and the batch read of id
// with body.
func serveOne(t *testing.T, id string, body []byte) *catalogclient.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/v1/products/"+id:
			_, _ = w.Write(body)
		case r.URL.Path == "/api/v1/products" && r.URL.Query().Get("ids") == id:
			_, _ = w.Write([]byte(`{"items":[` + string(body) + `],"next_cursor":""}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return catalogclient.New(srv.URL, breaker.Options{})
}

// TestTheClientReadsTheCatalogsVariantContract serves
// contracts/catalog-variant.json (a variant as GET /api/v1/products/{id}
// answers it) and checks that what orders puts on a cart line comes out
// of it: the variant's own id, price, stock and weight, the product's
// name and merchant, and variant_of and variant_options.
func TestTheClientReadsTheCatalogsVariantContract(t *testing.T) {
	const id = "p-contract-tee-v2"
	if err := domain.ValidateProductID(id); err != nil {
		t.Fatalf("variant id %q is not a valid cart product id: %v", id, err)
	}
	want := catalogclient.Product{ID: id, MerchantID: "m-contract", Name: "Cotton T-shirt",
		Price: domain.Money{Amount: 1800, Currency: "USD"}, Available: 2, WeightGrams: 200,
		Variant: domain.Variant{Of: "p-contract-tee", Options: map[string]string{"colour": "black", "size": "M"}}}

	c := serveOne(t, id, contract(t, "catalog-variant.json"))
	p, err := c.Product(context.Background(), id)
	if err != nil || !reflect.DeepEqual(p, want) {
		t.Fatalf("Product = %+v, %v; want %+v", p, err, want)
	}
	batch, err := c.Products(context.Background(), []string{id})
	if err != nil || !reflect.DeepEqual(batch[id], want) {
		t.Fatalf("Products = %+v, %v; want %+v", batch, err, want)
	}
}

// TestTheClientTellsAProductWithVariants serves
// contracts/catalog-product-variants.json (a parent): the client reports
// that it has variants, which the cart refuses (variant_required), and
// that it is no variant itself.
func TestTheClientTellsAProductWithVariants(t *testing.T) {
	const id = "p-contract-tee"
	c := serveOne(t, id, contract(t, "catalog-product-variants.json"))
	p, err := c.Product(context.Background(), id)
	if err != nil || !p.HasVariants || !p.Variant.IsZero() || p.ID != id {
		t.Fatalf("Product = %+v, %v; want a product with variants", p, err)
	}
	batch, err := c.Products(context.Background(), []string{id})
	if err != nil || !batch[id].HasVariants {
		t.Fatalf("Products = %+v, %v", batch, err)
	}
}

// A product without options (the old shape, contracts/catalog-product.json)
// is no variant and has none.
func TestTheClientReadsAPlainProductAsNoVariant(t *testing.T) {
	c := serveOne(t, "p-contract", contract(t, "catalog-product.json"))
	p, err := c.Product(context.Background(), "p-contract")
	if err != nil || p.HasVariants || !p.Variant.IsZero() {
		t.Fatalf("Product = %+v, %v", p, err)
	}
}
