package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/catalog/internal/api"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/testkit/authtest"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// server is the catalog's real router on its own database.
type server struct {
	t      *testing.T
	router *gin.Engine
	svc    *usecase.Service
	store  *store.Store
	issuer *authtest.Issuer
	// Tokens of two merchants, a shopper, and a merchant without tenant.
	merchantA, merchantB, shopper, noTenant string
}

func newServer(t *testing.T) *server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 8})
	st := store.New(db, nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	model := readmodel.New(api.RenderPublic)
	svc := usecase.New(usecase.Options{Store: st, Model: model})
	iss := authtest.New(t)
	srv := httpserver.New(httpserver.Options{Service: "catalog", Logger: slog.New(slog.DiscardHandler)})
	api.Register(srv.Router(), svc, model, iss.Verifier(t))
	return &server{
		t: t, router: srv.Router(), svc: svc, store: st, issuer: iss,
		merchantA: iss.Token(auth.Caller{UserID: "ua", Roles: []string{"merchant"}, MerchantID: "mA"}),
		merchantB: iss.Token(auth.Caller{UserID: "ub", Roles: []string{"merchant"}, MerchantID: "mB"}),
		shopper:   iss.Token(auth.Caller{UserID: "us", Roles: []string{"shopper"}}),
		noTenant:  iss.Token(auth.Caller{UserID: "ux", Roles: []string{"merchant"}}),
	}
}

// do sends a request and returns the status and decoded JSON body.
func (s *server) do(method, path, token string, body any) (int, map[string]any) {
	s.t.Helper()
	var reader *bytes.Reader
	switch b := body.(type) {
	case nil:
		reader = bytes.NewReader(nil)
	case string:
		reader = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, reader)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.router.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			s.t.Fatalf("%s %s: body %q is not a JSON object: %v", method, path, rec.Body.String(), err)
		}
	}
	return rec.Code, out
}

// create makes a product of the merchant with token and returns its id.
func (s *server) create(token string, body map[string]any) string {
	s.t.Helper()
	status, out := s.do(http.MethodPost, "/api/v1/merchant/products", token, body)
	if status != http.StatusCreated {
		s.t.Fatalf("create: %d %v", status, out)
	}
	return out["id"].(string)
}

func productBody(sku, name, category string, price, stock int) map[string]any {
	return map[string]any{
		"sku": sku, "name": name, "description": "A fine " + name, "category": category,
		"price": map[string]any{"amount": price, "currency": "USD"}, "stock": stock,
		"images": []string{"https://img.example/" + sku + ".png"},
	}
}

// itemIDs lists the ids of a list response's items.
func itemIDs(out map[string]any) []string {
	items, _ := out["items"].([]any)
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.(map[string]any)["id"].(string)
	}
	return ids
}
