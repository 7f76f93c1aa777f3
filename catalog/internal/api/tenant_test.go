package api_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"
)

// TestTenantIsolation: merchant B reads, updates, archives and restocks
// merchant A's product: 404 every time, and nothing changes.
func TestTenantIsolation(t *testing.T) {
	s := newServer(t)
	id := s.create(s.merchantA, productBody("A-1", "A's lamp", "home", 2000, 4))
	before, err := s.svc.OwnedProduct(context.Background(), "mA", id)
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/merchant/products/" + id
	attempts := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, path, nil},
		{http.MethodPatch, path, map[string]any{"name": "Stolen", "price": map[string]any{"amount": 1, "currency": "USD"}}},
		{http.MethodDelete, path, nil},
		{http.MethodPost, path + "/stock", map[string]any{"delta": -4}},
		{http.MethodPost, path + "/stock", map[string]any{"delta": 100}},
	}
	for _, a := range attempts {
		status, out := s.do(a.method, a.path, s.merchantB, a.body)
		if status != http.StatusNotFound || out["code"] != "not_found" {
			t.Fatalf("B %s %s: %d %v", a.method, a.path, status, out)
		}
	}
	after, err := s.svc.OwnedProduct(context.Background(), "mA", id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("A's product changed:\nbefore %+v\nafter  %+v", before, after)
	}
	if _, out := s.do(http.MethodGet, "/api/v1/merchant/products", s.merchantB, nil); len(itemIDs(out)) != 0 {
		t.Fatalf("B lists %v", itemIDs(out))
	}
	if _, out := s.do(http.MethodGet, "/api/v1/merchant/products", s.merchantA, nil); len(itemIDs(out)) != 1 {
		t.Fatalf("A lists %v", itemIDs(out))
	}
	if status, _ := s.do(http.MethodGet, "/api/v1/products/"+id, "", nil); status != http.StatusOK {
		t.Fatalf("A's product is no longer public: %d", status)
	}
}
