package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestEndpoints walks every endpoint through its statuses, in order: each
// row may rely on the rows before it.
func TestEndpoints(t *testing.T) {
	s := newServer(t)
	id := s.create(s.merchantA, productBody("MUG-1", "Blue mug", "Kitchen", 1299, 5))
	other := s.create(s.merchantA, productBody("MUG-2", "Red mug", "Kitchen", 999, 0))
	mp := "/api/v1/merchant/products"

	type row struct {
		name   string
		method string
		path   string
		token  string
		body   any
		status int
		code   string // problem code, for errors
		check  func(t *testing.T, out map[string]any)
	}
	rows := []row{
		// create
		{"create", http.MethodPost, mp, s.merchantA, productBody("LAMP", "Desk lamp", "Home", 4500, 3), 201, "", func(t *testing.T, out map[string]any) {
			if out["merchant_id"] != "mA" || out["category"] != "home" || out["stock"].(map[string]any)["available"].(float64) != 3 {
				t.Fatalf("created %v", out)
			}
		}},
		{"create duplicate sku", http.MethodPost, mp, s.merchantA, productBody("MUG-1", "Copy", "Kitchen", 100, 1), 409, "conflict", nil},
		{"same sku other merchant", http.MethodPost, mp, s.merchantB, productBody("MUG-1", "B's mug", "Kitchen", 100, 1), 201, "", nil},
		{"create invalid", http.MethodPost, mp, s.merchantA, map[string]any{"sku": "bad sku", "name": "", "category": "x", "price": map[string]any{"amount": 0, "currency": "EUR"}, "images": []string{"ftp://x"}}, 400, "validation_failed", func(t *testing.T, out map[string]any) {
			if n := len(out["errors"].([]any)); n != 5 {
				t.Fatalf("%d field errors: %v", n, out["errors"])
			}
		}},
		{"create sets owner", http.MethodPost, mp, s.merchantA, mergeBody(productBody("X1", "X", "x", 1, 1), "merchant_id", "mB"), 400, "validation_failed", nil},
		{"create sets id", http.MethodPost, mp, s.merchantA, mergeBody(productBody("X2", "X", "x", 1, 1), "id", "chosen"), 400, "validation_failed", nil},
		{"create sets counters", http.MethodPost, mp, s.merchantA, mergeBody(productBody("X3", "X", "x", 1, 1), "sold", 5), 400, "validation_failed", nil},
		{"create sets timestamps", http.MethodPost, mp, s.merchantA, mergeBody(productBody("X4", "X", "x", 1, 1), "created_at", "2020-01-01T00:00:00Z"), 400, "validation_failed", nil},
		{"create malformed", http.MethodPost, mp, s.merchantA, `{"sku":`, 400, "validation_failed", nil},
		{"create price as float", http.MethodPost, mp, s.merchantA, `{"sku":"F","name":"F","category":"f","price":{"amount":1.5,"currency":"USD"}}`, 400, "validation_failed", nil},
		{"create without token", http.MethodPost, mp, "", productBody("N", "N", "n", 1, 1), 401, "unauthorized", nil},
		{"create with bad token", http.MethodPost, mp, "garbage", productBody("N", "N", "n", 1, 1), 401, "unauthorized", nil},
		{"create as shopper", http.MethodPost, mp, s.shopper, productBody("N", "N", "n", 1, 1), 403, "forbidden", nil},
		{"create without tenant", http.MethodPost, mp, s.noTenant, productBody("N", "N", "n", 1, 1), 403, "forbidden", nil},
		// list own
		{"list own", http.MethodGet, mp + "?limit=2", s.merchantA, nil, 200, "", func(t *testing.T, out map[string]any) {
			if len(itemIDs(out)) != 2 || out["next_cursor"] == "" {
				t.Fatalf("page %v", out)
			}
		}},
		{"list own bad limit", http.MethodGet, mp + "?limit=0", s.merchantA, nil, 400, "validation_failed", nil},
		{"list own bad cursor", http.MethodGet, mp + "?cursor=xyz", s.merchantA, nil, 400, "validation_failed", nil},
		{"list own as shopper", http.MethodGet, mp, s.shopper, nil, 403, "forbidden", nil},
		// read own
		{"read own", http.MethodGet, mp + "/" + id, s.merchantA, nil, 200, "", func(t *testing.T, out map[string]any) {
			stock := out["stock"].(map[string]any)
			if stock["held"] == nil || stock["sold"] == nil || out["archived"] != false {
				t.Fatalf("merchant view %v", out)
			}
		}},
		{"read own unknown", http.MethodGet, mp + "/nope", s.merchantA, nil, 404, "not_found", nil},
		// patch
		{"patch", http.MethodPatch, mp + "/" + id, s.merchantA, map[string]any{"name": "Navy mug", "price": map[string]any{"amount": 1499, "currency": "USD"}}, 200, "", func(t *testing.T, out map[string]any) {
			if out["name"] != "Navy mug" || out["sku"] != "MUG-1" || out["description"] != "A fine Blue mug" {
				t.Fatalf("patched %v", out)
			}
		}},
		{"patch nothing", http.MethodPatch, mp + "/" + id, s.merchantA, map[string]any{}, 400, "validation_failed", nil},
		{"patch invalid", http.MethodPatch, mp + "/" + id, s.merchantA, map[string]any{"price": map[string]any{"amount": -5, "currency": "USD"}}, 400, "validation_failed", nil},
		{"patch stock counters", http.MethodPatch, mp + "/" + id, s.merchantA, map[string]any{"stock": map[string]any{"available": 1000}}, 400, "validation_failed", nil},
		{"patch to taken sku", http.MethodPatch, mp + "/" + id, s.merchantA, map[string]any{"sku": "MUG-2"}, 409, "conflict", nil},
		{"patch unknown", http.MethodPatch, mp + "/nope", s.merchantA, map[string]any{"name": "x"}, 404, "not_found", nil},
		// stock
		{"restock", http.MethodPost, mp + "/" + id + "/stock", s.merchantA, map[string]any{"delta": 10}, 200, "", func(t *testing.T, out map[string]any) {
			if out["stock"].(map[string]any)["available"].(float64) != 15 {
				t.Fatalf("restocked %v", out)
			}
		}},
		{"restock below zero", http.MethodPost, mp + "/" + id + "/stock", s.merchantA, map[string]any{"delta": -16}, 409, "conflict", nil},
		{"restock zero", http.MethodPost, mp + "/" + id + "/stock", s.merchantA, map[string]any{"delta": 0}, 400, "validation_failed", nil},
		{"restock missing delta", http.MethodPost, mp + "/" + id + "/stock", s.merchantA, map[string]any{}, 400, "validation_failed", nil},
		{"restock unknown", http.MethodPost, mp + "/nope/stock", s.merchantA, map[string]any{"delta": 1}, 404, "not_found", nil},
		// public reads
		{"public read", http.MethodGet, "/api/v1/products/" + id, "", nil, 200, "", func(t *testing.T, out map[string]any) {
			stock := out["stock"].(map[string]any)
			if out["name"] != "Navy mug" || out["price"].(map[string]any)["amount"].(float64) != 1499 || stock["available"].(float64) != 15 || stock["held"] != nil || out["archived"] != nil {
				t.Fatalf("public view %v", out)
			}
		}},
		{"public read unknown", http.MethodGet, "/api/v1/products/nope", "", nil, 404, "not_found", nil},
		{"browse", http.MethodGet, "/api/v1/products?category=kitchen&sort=price_asc", "", nil, 200, "", func(t *testing.T, out map[string]any) {
			if ids := itemIDs(out); len(ids) != 3 || ids[1] != other { // B's mug (100) first, then 999
				t.Fatalf("browse %v", ids)
			}
		}},
		{"browse bad params", http.MethodGet, "/api/v1/products?limit=500&sort=random&min_price=-1", "", nil, 400, "validation_failed", func(t *testing.T, out map[string]any) {
			if n := len(out["errors"].([]any)); n != 3 {
				t.Fatalf("errors %v", out["errors"])
			}
		}},
		{"batch", http.MethodGet, "/api/v1/products?ids=" + id + ",nope," + other, "", nil, 200, "", func(t *testing.T, out map[string]any) {
			if ids := itemIDs(out); len(ids) != 2 || ids[0] != id || ids[1] != other {
				t.Fatalf("batch %v", ids)
			}
		}},
		{"batch empty", http.MethodGet, "/api/v1/products?ids=", "", nil, 400, "validation_failed", nil},
		{"batch too many", http.MethodGet, "/api/v1/products?ids=" + manyIDs(101), "", nil, 400, "validation_failed", nil},
		{"categories", http.MethodGet, "/api/v1/categories", "", nil, 200, "", func(t *testing.T, out map[string]any) {
			items := out["items"].([]any)
			first := items[0].(map[string]any)
			if len(items) != 2 || first["name"] != "home" || first["count"].(float64) != 1 || items[1].(map[string]any)["count"].(float64) != 3 {
				t.Fatalf("categories %v", items)
			}
		}},
		// archive
		{"archive", http.MethodDelete, mp + "/" + id, s.merchantA, nil, 204, "", nil},
		{"archive again", http.MethodDelete, mp + "/" + id, s.merchantA, nil, 204, "", nil},
		{"archive unknown", http.MethodDelete, mp + "/nope", s.merchantA, nil, 404, "not_found", nil},
		{"archived is gone publicly", http.MethodGet, "/api/v1/products/" + id, "", nil, 404, "not_found", nil},
		{"archived not browsed", http.MethodGet, "/api/v1/products?q=navy", "", nil, 200, "", func(t *testing.T, out map[string]any) {
			if len(itemIDs(out)) != 0 {
				t.Fatalf("found %v", itemIDs(out))
			}
		}},
		{"archived not batch-read", http.MethodGet, "/api/v1/products?ids=" + id, "", nil, 200, "", func(t *testing.T, out map[string]any) {
			if len(itemIDs(out)) != 0 {
				t.Fatalf("found %v", itemIDs(out))
			}
		}},
		{"owner still reads archived", http.MethodGet, mp + "/" + id, s.merchantA, nil, 200, "", func(t *testing.T, out map[string]any) {
			if out["archived"] != true {
				t.Fatalf("archived flag %v", out)
			}
		}},
		{"method not allowed", http.MethodPut, "/api/v1/products/" + id, "", nil, 405, "method_not_allowed", nil},
	}
	for _, r := range rows {
		status, out := s.do(r.method, r.path, r.token, r.body)
		if status != r.status {
			t.Fatalf("%s: status %d, want %d: %v", r.name, status, r.status, out)
		}
		if r.code != "" && out["code"] != r.code {
			t.Fatalf("%s: code %v, want %s", r.name, out["code"], r.code)
		}
		if r.check != nil {
			t.Run(r.name, func(t *testing.T) { r.check(t, out) })
		}
	}
}

func mergeBody(body map[string]any, key string, value any) map[string]any {
	body[key] = value
	return body
}

func manyIDs(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "p" + strings.Repeat("x", i%50) + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
	}
	return strings.Join(ids, ",")
}
