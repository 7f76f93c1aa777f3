package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/api"
	"github.com/mercato-shop/mercato/orders/internal/catalogclient"
	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/orders/internal/usecase"
	"github.com/mercato-shop/mercato/orders/internal/usersclient"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/authtest"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// fakeCatalog serves the catalog's product reads from a map; down makes
// it answer 503 like a catalog that is unavailable.
type fakeCatalog struct {
	server *httptest.Server
	down   atomic.Bool
	calls  atomic.Int64

	mu       sync.Mutex
	products map[string]productJSON
}

type productJSON struct {
	ID         string `json:"id"`
	MerchantID string `json:"merchant_id"`
	Name       string `json:"name"`
	Price      struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	} `json:"price"`
	Stock struct {
		Available int64 `json:"available"`
	} `json:"stock"`
	WeightGrams int64 `json:"weight_grams,omitempty"`
	// A variant (contracts/catalog-variant.json) and a product with
	// variants (contracts/catalog-product-variants.json).
	VariantOf      string            `json:"variant_of,omitempty"`
	VariantOptions map[string]string `json:"variant_options,omitempty"`
	Variants       []map[string]any  `json:"variants,omitempty"`
}

func newFakeCatalog(t *testing.T) *fakeCatalog {
	f := &fakeCatalog{products: map[string]productJSON{}}
	f.server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.server.Close)
	return f
}

func (f *fakeCatalog) put(id, merchant, name string, amount int64) {
	p := productJSON{ID: id, MerchantID: merchant, Name: name}
	p.Price.Amount, p.Price.Currency, p.Stock.Available = amount, "EUR", 10
	f.mu.Lock()
	defer f.mu.Unlock()
	f.products[id] = p
}

// putWeighing is put with a unit weight.
func (f *fakeCatalog) putWeighing(id, merchant, name string, amount, grams int64) {
	f.put(id, merchant, name, amount)
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.products[id]
	p.WeightGrams = grams
	f.products[id] = p
}

// putVariant is putWeighing of a variant of product of with options.
func (f *fakeCatalog) putVariant(id, of, merchant, name string, amount, grams int64, options map[string]string) {
	f.putWeighing(id, merchant, name, amount, grams)
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.products[id]
	p.VariantOf, p.VariantOptions = of, options
	f.products[id] = p
}

// putParent puts a product with the variants variantIDs (as its own
// product, with no stock of its own).
func (f *fakeCatalog) putParent(id, merchant, name string, amount int64, variantIDs ...string) {
	f.put(id, merchant, name, amount)
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.products[id]
	p.Stock.Available = 0
	for _, v := range variantIDs {
		p.Variants = append(p.Variants, map[string]any{"id": v})
	}
	f.products[id] = p
}

func (f *fakeCatalog) remove(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.products, id)
}

func (f *fakeCatalog) serve(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if f.down.Load() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/api/v1/products" {
		items := []productJSON{}
		for _, id := range strings.Split(r.URL.Query().Get("ids"), ",") {
			if p, ok := f.products[id]; ok {
				items = append(items, p)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "next_cursor": ""})
		return
	}
	p, ok := f.products[strings.TrimPrefix(r.URL.Path, "/api/v1/products/")]
	if !ok {
		http.Error(w, `{"code":"not_found"}`, http.StatusNotFound)
		return
	}
	_ = json.NewEncoder(w).Encode(p)
}

// env is the orders API over a fresh database, a fake catalog and a fake
// users service.
type env struct {
	t       *testing.T
	handler http.Handler
	svc     *usecase.Service
	orders  *store.Orders
	db      *mongodb.Store
	catalog *fakeCatalog
	users   *fakeUsers
	issuer  *authtest.Issuer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 8})
	orders, carts, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	cat := newFakeCatalog(t)
	client := catalogclient.New(cat.server.URL, breaker.Options{Name: "catalog", Timeout: time.Second,
		ConsecutiveFailures: 3, OpenFor: time.Minute, Logger: quiet})
	codes, rates := store.OpenPricing(db)
	iss := authtest.New(t)
	verifier := iss.Verifier(t)
	users := newFakeUsers(t, verifier)
	usersClient := usersclient.New(users.server.URL, breaker.Options{Name: "users", Timeout: time.Second,
		ConsecutiveFailures: 3, OpenFor: time.Minute, Logger: quiet})
	svc := usecase.New(orders, carts, client, usecase.Options{Logger: quiet, Codes: codes, Rates: rates, Users: usersClient})
	srv := httpserver.New(httpserver.Options{Service: "orders", Logger: quiet})
	api.Register(srv.Router(), svc, verifier)
	return &env{t: t, handler: srv.Router(), svc: svc, orders: orders, db: db, catalog: cat, users: users, issuer: iss}
}

func (e *env) shopper(id string) string {
	return e.issuer.Token(auth.Caller{UserID: id, Roles: []string{auth.RoleShopper}})
}

func (e *env) merchant(userID, merchantID string) string {
	return e.issuer.Token(auth.Caller{UserID: userID, Roles: []string{auth.RoleMerchant}, MerchantID: merchantID})
}

// do sends a request; headers come in name, value pairs.
func (e *env) do(method, path, token string, body any, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec
}

// decode unmarshals a response body, failing on a status other than want.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder, want int) T {
	t.Helper()
	var v T
	if rec.Code != want {
		t.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

// problem is the error body's code.
func problem(t *testing.T, rec *httptest.ResponseRecorder, want int) string {
	t.Helper()
	return decode[struct {
		Code string `json:"code"`
	}](t, rec, want).Code
}

// countOrders counts the stored orders of a shopper.
func (e *env) countOrders(shopperID string) int64 {
	e.t.Helper()
	n, err := e.db.Read.Collection(store.OrdersCollection).CountDocuments(context.Background(), map[string]any{"shopper_id": shopperID})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}
