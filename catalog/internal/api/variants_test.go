package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/mercato-shop/mercato/platform/httpserver"
)

// teeBody is a T-shirt of merchant A in S (3 units at the product's 1500)
// and M (5 at 1800, 250 g).
func teeBody(sku string) map[string]any {
	b := productBody(sku, "Cotton tee", "Clothes", 1500, 0)
	b["weight_grams"] = 200
	b["options"] = []any{map[string]any{"name": "size", "values": []string{"S", "M", "L"}}}
	b["variants"] = []any{
		map[string]any{"sku": sku + "-S", "options": map[string]any{"size": "S"}, "stock": 3},
		map[string]any{"sku": sku + "-M", "options": map[string]any{"size": "M"}, "stock": 5, "price": map[string]any{"amount": 1800, "currency": "USD"}, "weight_grams": 250},
	}
	return b
}

// createTee creates teeBody and returns the product's and its variants' ids.
func (s *server) createTee(sku string) (string, string, string) {
	s.t.Helper()
	status, out := s.do(http.MethodPost, "/api/v1/merchant/products", s.merchantA, teeBody(sku))
	if status != http.StatusCreated {
		s.t.Fatalf("create: %d %v", status, out)
	}
	variants, _ := out["variants"].([]any)
	if len(variants) != 2 {
		s.t.Fatalf("created without its variants: %v", out)
	}
	return out["id"].(string), variants[0].(map[string]any)["id"].(string), variants[1].(map[string]any)["id"].(string)
}

// raw sends a request and returns the status, content type and body.
func (s *server) raw(method, path, token string, body any) (int, string, map[string]any) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	s.router.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, rec.Header().Get("Content-Type"), out
}

func TestProductWithVariantsInThePublicAPI(t *testing.T) {
	s := newServer(t)
	id, small, medium := s.createTee("TEE")
	mug := s.create(s.merchantA, productBody("MUG", "Mug", "kitchen", 1600, 2))

	status, p := s.do(http.MethodGet, "/api/v1/products/"+id, "", nil)
	if status != http.StatusOK {
		t.Fatalf("GET parent: %d %v", status, p)
	}
	price := p["price"].(map[string]any)
	rng := p["price_range"].(map[string]any)
	if price["amount"] != 1500.0 || rng["min"].(map[string]any)["amount"] != 1500.0 || rng["max"].(map[string]any)["amount"] != 1800.0 {
		t.Fatalf("parent price %v range %v", price, rng)
	}
	if p["stock"].(map[string]any)["available"] != 8.0 || len(p["options"].([]any)) != 1 {
		t.Fatalf("parent stock/options %v", p)
	}
	vs := p["variants"].([]any)
	m := vs[1].(map[string]any)
	if len(vs) != 2 || m["id"] != medium || m["sku"] != "TEE-M" || m["options"].(map[string]any)["size"] != "M" ||
		m["price"].(map[string]any)["amount"] != 1800.0 || m["stock"].(map[string]any)["available"] != 5.0 || m["weight_grams"] != 250.0 {
		t.Fatalf("parent's variants %v", vs)
	}
	if vs[0].(map[string]any)["weight_grams"] != 200.0 {
		t.Fatalf("a variant without weight has not the product's: %v", vs[0])
	}

	status, v := s.do(http.MethodGet, "/api/v1/products/"+small, "", nil)
	if status != http.StatusOK || v["variant_of"] != id || v["variant_options"].(map[string]any)["size"] != "S" ||
		v["name"] != "Cotton tee" || v["sku"] != "TEE-S" || v["stock"].(map[string]any)["available"] != 3.0 || v["merchant_id"] != "mA" {
		t.Fatalf("GET variant: %d %v", status, v)
	}
	if _, has := v["variants"]; has {
		t.Fatalf("a variant has a variants array: %v", v)
	}
	if _, has := v["price_range"]; has {
		t.Fatalf("a variant has a price range: %v", v)
	}
	_, simple := s.do(http.MethodGet, "/api/v1/products/"+mug, "", nil)
	for _, field := range []string{"options", "variants", "price_range", "variant_of", "variant_options"} {
		if _, has := simple[field]; has {
			t.Fatalf("a product without options has %q: %v", field, simple)
		}
	}

	if got := itemIDs(s.list("sort=price_asc")); !slices.Equal(got, []string{id, mug}) {
		t.Fatalf("browse %v, want the parent once and the mug", got)
	}
	if got := itemIDs(s.list("q=TEE-M")); !slices.Equal(got, []string{id}) {
		t.Fatalf("search by a variant sku %v", got)
	}
	if got := itemIDs(s.list("ids=" + small + "," + medium)); !slices.Equal(got, []string{small, medium}) {
		t.Fatalf("batch read of variants %v", got)
	}
}

func TestBadVariantsAre400AndStoreNothing(t *testing.T) {
	s := newServer(t)
	edit := func(f func(b map[string]any)) map[string]any {
		b := teeBody("BAD")
		f(b)
		return b
	}
	variant := func(b map[string]any, i int) map[string]any { return b["variants"].([]any)[i].(map[string]any) }
	var many []any
	for i := range 101 {
		many = append(many, map[string]any{"sku": fmt.Sprint("V", i), "options": map[string]any{"size": "S"}})
	}
	cases := map[string]map[string]any{
		"unknown option value":   edit(func(b map[string]any) { variant(b, 0)["options"] = map[string]any{"size": "XXL"} }),
		"unknown option name":    edit(func(b map[string]any) { variant(b, 0)["options"] = map[string]any{"size": "S", "fit": "slim"} }),
		"duplicate combination":  edit(func(b map[string]any) { variant(b, 1)["options"] = map[string]any{"size": "S"} }),
		"zero price override":    edit(func(b map[string]any) { variant(b, 1)["price"] = map[string]any{"amount": 0, "currency": "USD"} }),
		"negative price":         edit(func(b map[string]any) { variant(b, 1)["price"] = map[string]any{"amount": -100, "currency": "USD"} }),
		"other currency":         edit(func(b map[string]any) { variant(b, 1)["price"] = map[string]any{"amount": 100, "currency": "EUR"} }),
		"101 variants":           edit(func(b map[string]any) { b["variants"] = many }),
		"variants, no options":   edit(func(b map[string]any) { delete(b, "options") }),
		"option value as number": edit(func(b map[string]any) { variant(b, 0)["options"] = map[string]any{"size": 3} }),
	}
	for name, body := range cases {
		status, ctype, out := s.raw(http.MethodPost, "/api/v1/merchant/products", s.merchantA, body)
		if status != http.StatusBadRequest || ctype != httpserver.ContentTypeProblem || out["code"] != "validation_failed" {
			t.Fatalf("%s: %d %s %v", name, status, ctype, out)
		}
	}
	if _, out := s.do(http.MethodGet, "/api/v1/merchant/products", s.merchantA, nil); len(itemIDs(out)) != 0 {
		t.Fatalf("bad input stored %v", out)
	}
	// Every SKU is still free.
	s.createTee("BAD")
}

func TestMerchantVariantRoutes(t *testing.T) {
	s := newServer(t)
	mp := "/api/v1/merchant/products/"
	id, small, medium := s.createTee("TEE")

	status, ctype, out := s.raw(http.MethodPost, mp+id+"/stock", s.merchantA, map[string]any{"delta": 5})
	if status != http.StatusConflict || ctype != httpserver.ContentTypeProblem || out["code"] != "has_variants" {
		t.Fatalf("restock of the parent: %d %s %v", status, ctype, out)
	}
	if status, out := s.do(http.MethodPost, mp+small+"/stock", s.merchantA, map[string]any{"delta": 2}); status != http.StatusOK || out["stock"].(map[string]any)["available"] != 5.0 {
		t.Fatalf("restock of a variant: %d %v", status, out)
	}
	// Merchant B learns nothing of A's variants.
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, mp + small + "/stock", map[string]any{"delta": 1}},
		{http.MethodPatch, mp + id + "/variants/" + medium, map[string]any{"price": map[string]any{"amount": 1, "currency": "USD"}}},
		{http.MethodPost, mp + id + "/variants", map[string]any{"sku": "B-L", "options": map[string]any{"size": "L"}}},
		{http.MethodGet, mp + medium, nil},
	} {
		if status, ctype, out := s.raw(r.method, r.path, s.merchantB, r.body); status != http.StatusNotFound || ctype != httpserver.ContentTypeProblem {
			t.Fatalf("merchant B %s %s: %d %v", r.method, r.path, status, out)
		}
	}
	if status, out := s.do(http.MethodPatch, mp+id+"/variants/"+medium, s.merchantA, map[string]any{"price": map[string]any{"amount": 1200, "currency": "USD"}}); status != http.StatusOK || out["price"].(map[string]any)["amount"] != 1200.0 {
		t.Fatalf("patch variant: %d %v", status, out)
	}
	if status, out := s.do(http.MethodPatch, mp+id+"/variants/"+medium, s.merchantA, map[string]any{"price": map[string]any{"amount": -1, "currency": "USD"}}); status != http.StatusBadRequest {
		t.Fatalf("negative variant price: %d %v", status, out)
	}
	status, _, out = s.raw(http.MethodPost, mp+id+"/variants", s.merchantA, map[string]any{"sku": "TEE-L", "options": map[string]any{"size": "L"}, "stock": 4})
	if status != http.StatusCreated || out["variant_of"] != id {
		t.Fatalf("add variant: %d %v", status, out)
	}
	large := out["id"].(string)
	if status, _, out := s.raw(http.MethodPost, mp+id+"/variants", s.merchantA, map[string]any{"sku": "TEE-L2", "options": map[string]any{"size": "XL"}}); status != http.StatusBadRequest {
		t.Fatalf("add a variant with an unknown value: %d %v", status, out)
	}
	_, p := s.do(http.MethodGet, "/api/v1/products/"+id, "", nil)
	if len(p["variants"].([]any)) != 3 || p["price"].(map[string]any)["amount"] != 1200.0 || p["stock"].(map[string]any)["available"] != 14.0 {
		t.Fatalf("parent after the changes: %v", p)
	}
	_, own := s.do(http.MethodGet, mp+id, s.merchantA, nil)
	if len(own["variants"].([]any)) != 3 {
		t.Fatalf("the merchant's view of the parent: %v", own)
	}
	if status, _ := s.do(http.MethodDelete, mp+id, s.merchantA, nil); status != http.StatusNoContent {
		t.Fatalf("archive: %d", status)
	}
	for _, v := range []string{id, small, medium, large} {
		if status, _ := s.do(http.MethodGet, "/api/v1/products/"+v, "", nil); status != http.StatusNotFound {
			t.Fatalf("GET %s after the archive: %d", v, status)
		}
	}
}

func TestAVariantPurchaseEntitlesAReviewOfItsProduct(t *testing.T) {
	s := newServer(t)
	id, _, medium := s.createTee("TEE")
	shopper := s.shopperToken("shopper-v")
	review := map[string]any{"rating": 5, "text": "Fits well"}
	if status, out := s.do(http.MethodPost, reviewsPath(id), shopper, review); status != http.StatusForbidden {
		t.Fatalf("review before a purchase: %d %v", status, out)
	}
	s.ship("shopper-v", "order-v1", medium)
	if status, out := s.do(http.MethodPost, reviewsPath(id), shopper, review); status != http.StatusCreated {
		t.Fatalf("review after a shipped variant: %d %v", status, out)
	}
	if avg, count := s.rating(id); avg != 5 || count != 1 {
		t.Fatalf("rating %v/%v", avg, count)
	}
	if avg, count := s.rating(medium); avg != 5 || count != 1 {
		t.Fatalf("the variant does not show its product's rating: %v/%v", avg, count)
	}
}
