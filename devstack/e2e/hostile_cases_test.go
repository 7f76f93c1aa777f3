package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Statuses the table accepts.
var (
	badRequest   = []int{http.StatusBadRequest}
	unauthorized = []int{http.StatusUnauthorized}
	forbidden    = []int{http.StatusForbidden}
	notFound     = []int{http.StatusNotFound}
	tooLarge     = []int{http.StatusRequestEntityTooLarge}
	// A malformed id names nothing: 404, or 400 where the service checks
	// the id's form first; both are the contract's.
	badID = []int{http.StatusBadRequest, http.StatusNotFound}
)

// maxBodyBytes is the suite's MAX_BODY_BYTES default (1 MiB).
const maxBodyBytes = 1 << 20

// js encodes v as a request body.
func js(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// with returns a copy of base with fields set (a nil value deletes one).
func with(base map[string]any, fields map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(fields))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range fields {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// cases is the whole table.
func (w *hostileWorld) cases() []hostile {
	var cs []hostile
	for _, part := range [][]hostile{
		w.malformedBodies(), w.authCases(), w.productCases(), w.cartAndCheckoutCases(),
		w.pathCases(), w.queryCases(), w.roleCases(), w.forgedTokenCases(), w.webhookCases(),
	} {
		cs = append(cs, part...)
	}
	return cs
}

// jsonEndpoint is an endpoint that reads a JSON body.
type jsonEndpoint struct {
	name, method, path, auth string
	header                   map[string]string
}

func (w *hostileWorld) jsonEndpoints() []jsonEndpoint {
	return []jsonEndpoint{
		{name: "register", method: http.MethodPost, path: "/api/v1/auth/register"},
		{name: "login", method: http.MethodPost, path: "/api/v1/auth/login"},
		{name: "refresh", method: http.MethodPost, path: "/api/v1/auth/refresh"},
		{name: "logout", method: http.MethodPost, path: "/api/v1/auth/logout", auth: bearer(w.shopper.Token)},
		{name: "create product", method: http.MethodPost, path: "/api/v1/merchant/products", auth: bearer(w.merchant.Token)},
		{name: "patch product", method: http.MethodPatch, path: "/api/v1/merchant/products/" + w.product.ID, auth: bearer(w.merchant.Token)},
		{name: "restock", method: http.MethodPost, path: "/api/v1/merchant/products/" + w.product.ID + "/stock", auth: bearer(w.merchant.Token)},
		{name: "cart line", method: http.MethodPut, path: "/api/v1/cart/items/" + w.product.ID, auth: bearer(w.shopper.Token)},
		{name: "checkout", method: http.MethodPost, path: "/api/v1/checkout", auth: bearer(w.shopper.Token),
			header: map[string]string{"Idempotency-Key": unique("hostile")}},
	}
}

// malformedBodies sends every JSON endpoint bodies that are no JSON
// object, or one that tries MongoDB operators, or too much of it.
func (w *hostileWorld) malformedBodies() []hostile {
	huge := []byte(`{"name":"` + strings.Repeat("a", 2*maxBodyBytes) + `"}`)
	deep := []byte(`{"name":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`)
	bodies := []struct {
		name   string
		body   []byte
		stream bool
		want   []int
	}{
		{"no body", nil, false, badRequest},
		{"blank body", []byte("  \n"), false, badRequest},
		{"malformed JSON", []byte(`{"quantity":`), false, badRequest},
		{"form encoding", []byte(`quantity=1&name=x`), false, badRequest},
		{"JSON array", []byte(`[]`), false, badRequest},
		{"array of objects", []byte(`[{"name":"x","quantity":1}]`), false, badRequest},
		{"JSON string", []byte(`"hello"`), false, badRequest},
		{"JSON number", []byte(`42`), false, badRequest},
		{"JSON null", []byte(`null`), false, badRequest},
		{"two values", []byte(`{}{}`), false, badRequest},
		{"nested too deep", deep, false, badRequest},
		{"$where key", []byte(`{"$where":"sleep(1000) || true"}`), false, badRequest},
		{"$set key", []byte(`{"$set":{"merchant_id":"m","roles":["admin"],"stock":{"available":1000000}}}`), false, badRequest},
		{"2 MiB body", huge, false, tooLarge},
		{"2 MiB body, chunked", huge, true, tooLarge},
	}
	var cs []hostile
	for _, e := range w.jsonEndpoints() {
		for _, b := range bodies {
			cs = append(cs, hostile{name: e.name + ": " + b.name, method: e.method, path: e.path, auth: e.auth,
				header: e.header, body: b.body, stream: b.stream, want: b.want})
		}
	}
	return cs
}

// authCases try to register what nobody may choose, log in with operators
// and refresh or log out with what is not one's own.
func (w *hostileWorld) authCases() []hostile {
	register := func(name string, fields map[string]any, want []int) hostile {
		email := unique("hostile") + "@e2e.mercato.test"
		if _, own := fields["email"]; !own {
			w.registerEmails = append(w.registerEmails, email)
		}
		body := with(map[string]any{"email": email, "password": "correct horse battery", "name": "Mallory"}, fields)
		return hostile{name: "register: " + name, method: http.MethodPost, path: "/api/v1/auth/register", body: js(body), want: want}
	}
	conflict := []int{http.StatusConflict}
	post := func(name, path, auth string, body any, want []int) hostile {
		return hostile{name: name, method: http.MethodPost, path: path, auth: auth, body: js(body), want: want}
	}
	const login, refresh, logout = "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"
	randomRefresh := "00000000-0000-4000-8000-000000000000." + base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	return []hostile{
		register("role admin", map[string]any{"role": "admin"}, badRequest),
		register("roles list", map[string]any{"roles": []string{"admin"}}, badRequest),
		register("role operator", map[string]any{"role": map[string]any{"$in": []string{"admin"}}}, badRequest),
		register("merchant_id", map[string]any{"role": "merchant", "store_name": "Mine", "merchant_id": w.victim.MerchantID}, badRequest),
		register("id", map[string]any{"id": w.shopper.ID}, badRequest),
		register("password number", map[string]any{"password": 123456789012}, badRequest),
		register("name operator", map[string]any{"name": map[string]any{"$gt": ""}}, badRequest),
		register("email operator", map[string]any{"email": map[string]any{"$ne": nil}}, badRequest),
		register("email $where", map[string]any{"email": "$where"}, badRequest),
		register("taken email", map[string]any{"email": w.shopper.Email}, conflict),
		register("taken email, other case", map[string]any{"email": strings.ToUpper(w.shopper.Email)}, conflict),

		post("login: operators", login, "", map[string]any{"email": map[string]any{"$ne": nil}, "password": map[string]any{"$ne": nil}}, badRequest),
		post("login: password operator", login, "", map[string]any{"email": w.shopper.Email, "password": map[string]any{"$gt": ""}}, badRequest),
		post("login: $where email", login, "", map[string]any{"email": "$where", "password": "x"}, []int{http.StatusBadRequest, http.StatusUnauthorized}),
		post("login: wrong password", login, "", map[string]any{"email": w.shopper.Email, "password": "wrong horse battery"}, unauthorized),
		post("login: role field", login, "", map[string]any{"email": w.shopper.Email, "password": "correct horse battery", "role": "admin"}, badRequest),

		post("refresh: operator", refresh, "", map[string]any{"refresh_token": map[string]any{"$gt": ""}}, badRequest),
		post("refresh: $where", refresh, "", map[string]any{"refresh_token": "$where"}, unauthorized),
		post("refresh: number", refresh, "", map[string]any{"refresh_token": 42}, badRequest),
		post("refresh: unknown session", refresh, "", map[string]any{"refresh_token": randomRefresh}, unauthorized),
		post("refresh: user_id field", refresh, "", map[string]any{"refresh_token": w.shopper.Refresh, "user_id": w.merchant.ID}, badRequest),

		post("logout: another user's session", logout, bearer(w.merchant.Token), map[string]any{"refresh_token": w.shopper.Refresh}, unauthorized),
		post("logout: operator", logout, bearer(w.shopper.Token), map[string]any{"refresh_token": map[string]any{"$ne": ""}}, badRequest),
		post("logout: anonymous", logout, "", map[string]any{"refresh_token": w.shopper.Refresh}, unauthorized),
	}
}

// productBody is a valid product; the cases break it one field at a time.
func productBody() map[string]any {
	return map[string]any{"sku": unique("SKU-"), "name": "Hostile product", "description": "must never exist",
		"category": "e2e", "price": map[string]any{"amount": 1000, "currency": currency}, "stock": 5, "images": []string{}}
}

func (w *hostileWorld) productCases() []hostile {
	m := bearer(w.merchant.Token)
	create := func(name string, fields map[string]any) hostile {
		return hostile{name: "create product: " + name, method: http.MethodPost, path: "/api/v1/merchant/products", auth: m,
			body: js(with(productBody(), fields))}
	}
	createRaw := func(name, body string) hostile {
		return hostile{name: "create product: " + name, method: http.MethodPost, path: "/api/v1/merchant/products", auth: m, body: []byte(body)}
	}
	productPath := "/api/v1/merchant/products/" + w.product.ID
	patch := func(name, body string) hostile {
		return hostile{name: "patch product: " + name, method: http.MethodPatch, path: productPath, auth: m, body: []byte(body)}
	}
	restock := func(name, body string, want ...int) hostile {
		return hostile{name: "restock: " + name, method: http.MethodPost, path: productPath + "/stock", auth: m, body: []byte(body), want: want}
	}
	money := func(amount any) map[string]any { return map[string]any{"amount": amount, "currency": currency} }
	return []hostile{
		create("merchant_id of another", map[string]any{"merchant_id": w.victim.MerchantID}),
		create("id", map[string]any{"id": w.victimProduct.ID}),
		create("stock counters", map[string]any{"stock": map[string]any{"available": 5, "held": 0, "sold": 100}}),
		create("sold", map[string]any{"sold": 100}),
		create("archived", map[string]any{"archived": true}),
		create("created_at", map[string]any{"created_at": "2000-01-01T00:00:00Z"}),
		create("negative price", map[string]any{"price": money(-1)}),
		create("zero price", map[string]any{"price": money(0)}),
		create("fractional price", map[string]any{"price": money(9.99)}),
		create("price as string", map[string]any{"price": money("1000")}),
		create("price as number", map[string]any{"price": 1000}),
		create("price operator", map[string]any{"price": money(map[string]any{"$gt": 0})}),
		create("price over the maximum", map[string]any{"price": money(int64(100_000_000_001))}),
		createRaw("price over int64", `{"sku":"S1","name":"n","description":"d","category":"e2e","price":{"amount":99999999999999999999,"currency":"USD"},"stock":1,"images":[]}`),
		create("currency operator", map[string]any{"price": map[string]any{"amount": 1000, "currency": map[string]any{"$ne": "USD"}}}),
		create("negative stock", map[string]any{"stock": -1}),
		create("fractional stock", map[string]any{"stock": 1.5}),
		create("stock over the maximum", map[string]any{"stock": 1_000_001}),
		create("stock as string", map[string]any{"stock": "5"}),
		create("name operator", map[string]any{"name": map[string]any{"$gt": ""}}),
		create("name number", map[string]any{"name": 42}),
		create("category operator", map[string]any{"category": map[string]any{"$ne": ""}}),
		create("images string", map[string]any{"images": "http://x/a.png"}),
		create("images operator", map[string]any{"images": []any{map[string]any{"$gt": ""}}}),
		create("missing sku", map[string]any{"sku": nil}),

		patch("stock counters", `{"stock":{"available":1000000}}`),
		patch("available", `{"available":1000000}`),
		patch("merchant_id", `{"merchant_id":"`+w.victim.MerchantID+`"}`),
		patch("id", `{"id":"`+w.victimProduct.ID+`"}`),
		patch("archived", `{"archived":true}`),
		patch("created_at", `{"created_at":"2000-01-01T00:00:00Z"}`),
		patch("negative price", `{"price":{"amount":-5,"currency":"USD"}}`),
		patch("price as string", `{"price":{"amount":"5","currency":"USD"}}`),
		patch("name operator", `{"name":{"$gt":""}}`),
		patch("$set operator", `{"$set":{"name":"pwned"}}`),
		patch("empty name", `{"name":""}`),
		patch("name number", `{"name":123}`),
		patch("images string", `{"images":"x"}`),
		// An empty patch asks for nothing: refused, or answered with the
		// product as it is (the snapshot then shows it untouched).
		{name: "patch product: empty patch", method: http.MethodPatch, path: productPath, auth: m, body: []byte(`{}`),
			want: []int{http.StatusBadRequest, http.StatusOK}},
		patch("a valid name with an owned field", `{"name":"pwned","merchant_id":"`+w.victim.MerchantID+`"}`),

		restock("delta as string", `{"delta":"5"}`),
		restock("fractional delta", `{"delta":1.5}`),
		restock("delta operator", `{"delta":{"$inc":5}}`),
		restock("$inc key", `{"$inc":{"available":5}}`),
		restock("no delta", `{}`),
		restock("zero delta", `{"delta":0}`),
		restock("null delta", `{"delta":null}`),
		restock("delta over the maximum", `{"delta":1000001}`),
		restock("delta at int64 max", `{"delta":9223372036854775807}`),
		restock("delta at int64 min", `{"delta":-9223372036854775808}`),
		restock("delta over int64", `{"delta":9223372036854775808}`),
		restock("below held and available", `{"delta":-1000}`, http.StatusConflict, http.StatusBadRequest),
		restock("delta with a counter", `{"delta":5,"available":100}`),
	}
}

func (w *hostileWorld) cartAndCheckoutCases() []hostile {
	s := bearer(w.shopper.Token)
	linePath := "/api/v1/cart/items/" + w.product.ID
	line := func(name, body string) hostile {
		return hostile{name: "cart line: " + name, method: http.MethodPut, path: linePath, auth: s, body: []byte(body)}
	}
	valid := checkoutBody("pm_card_visa")
	checkout := func(name string, key string, body any, want ...int) hostile {
		h := hostile{name: "checkout: " + name, method: http.MethodPost, path: "/api/v1/checkout", auth: s, body: js(body), want: want}
		if key != "" {
			h.header = map[string]string{"Idempotency-Key": key}
		}
		return h
	}
	addr := valid["shipping_address"].(map[string]any)
	return []hostile{
		line("negative quantity", `{"quantity":-1}`),
		line("quantity over the maximum", `{"quantity":100}`),
		line("huge quantity", `{"quantity":1000000000000}`),
		line("quantity at int64 max", `{"quantity":9223372036854775807}`),
		line("quantity over int64", `{"quantity":9223372036854775808}`),
		line("quantity in exponent form", `{"quantity":1e30}`),
		line("fractional quantity", `{"quantity":1.5}`),
		line("quantity as string", `{"quantity":"2"}`),
		line("quantity as boolean", `{"quantity":true}`),
		line("quantity operator", `{"quantity":{"$gt":0}}`),
		line("no quantity", `{}`),
		line("null quantity", `{"quantity":null}`),
		line("unit price", `{"quantity":1,"unit_price":{"amount":1,"currency":"USD"}}`),
		line("price", `{"quantity":1,"price":1}`),
		line("merchant_id", `{"quantity":1,"merchant_id":"`+w.victim.MerchantID+`"}`),
		line("name", `{"quantity":1,"name":"free"}`),
		line("$inc key", `{"quantity":1,"$inc":{"quantity":50}}`),

		checkout("no Idempotency-Key", "", valid),
		checkout("Idempotency-Key too long", strings.Repeat("k", 300), valid),
		checkout("the paid order's key with another body", w.orderKey, checkoutBody("pm_card_chargeDeclined"), http.StatusUnprocessableEntity, http.StatusConflict),
		checkout("operator key, no payment method", `{"$gt":""}`, with(valid, map[string]any{"payment_method": ""})),
		checkout("payment method operator", unique("hostile"), with(valid, map[string]any{"payment_method": map[string]any{"$ne": ""}})),
		checkout("payment method $where", unique("hostile"), with(valid, map[string]any{"payment_method": "$where"})),
		checkout("payment method operator text", unique("hostile"), with(valid, map[string]any{"payment_method": `{"$gt":""}`})),
		checkout("payment method number", unique("hostile"), with(valid, map[string]any{"payment_method": 4242})),
		checkout("address as string", unique("hostile"), with(valid, map[string]any{"shipping_address": "12 Analytical Row"})),
		checkout("address operator", unique("hostile"), with(valid, map[string]any{"shipping_address": map[string]any{"$exists": true}})),
		checkout("country operator", unique("hostile"), with(valid, map[string]any{"shipping_address": with(addr, map[string]any{"country": map[string]any{"$ne": ""}})})),
		checkout("bad country", unique("hostile"), with(valid, map[string]any{"shipping_address": with(addr, map[string]any{"country": "GBR"})})),
		checkout("missing address", unique("hostile"), with(valid, map[string]any{"shipping_address": nil})),
		checkout("status", unique("hostile"), with(valid, map[string]any{"status": "paid"})),
		checkout("total", unique("hostile"), with(valid, map[string]any{"total": map[string]any{"amount": 1, "currency": currency}})),
		checkout("lines with prices", unique("hostile"), with(valid, map[string]any{"lines": []any{map[string]any{
			"product_id": w.product.ID, "quantity": 2, "unit_price": map[string]any{"amount": 1, "currency": currency}}}})),
		checkout("shopper_id", unique("hostile"), with(valid, map[string]any{"shopper_id": w.stranger.ID})),
		checkout("order id", unique("hostile"), with(valid, map[string]any{"id": w.order.ID})),
	}
}

// pathCases put operators, dot segments and huge ids where ids go.
func (w *hostileWorld) pathCases() []hostile {
	s, m := bearer(w.shopper.Token), bearer(w.merchant.Token)
	long := strings.Repeat("a", 5000)
	ids := map[string]string{
		"$where id":       "$where",
		"operator id":     url.PathEscape(`{"$gt":""}`),
		"5000-byte id":    long,
		"dot-dot id":      "..",
		"encoded dot-dot": "%2e%2e",
		"escaped slashes": "..%2F..%2Fcategories",
		"comma ids":       w.product.ID + "," + w.victimProduct.ID,
	}
	var cs []hostile
	for name, id := range ids {
		stock := `{"delta":5}`
		publicWant := badID
		if strings.Contains(id, "..") || strings.Contains(id, "%2e") {
			// The gateway treats no path with dot segments as public
			// (authn.Public), so without a token that is a 401; with
			// one it is refused as 404. Both refuse it.
			publicWant = []int{http.StatusUnauthorized, http.StatusNotFound}
		}
		cs = append(cs,
			hostile{name: "product: " + name, method: http.MethodGet, path: "/api/v1/products/" + id, want: publicWant},
			hostile{name: "own product: " + name, method: http.MethodGet, path: "/api/v1/merchant/products/" + id, auth: m, want: badID},
			hostile{name: "patch product: " + name, method: http.MethodPatch, path: "/api/v1/merchant/products/" + id, auth: m, body: []byte(`{"name":"pwned"}`), want: badID},
			hostile{name: "archive product: " + name, method: http.MethodDelete, path: "/api/v1/merchant/products/" + id, auth: m, want: badID},
			hostile{name: "restock: " + name, method: http.MethodPost, path: "/api/v1/merchant/products/" + id + "/stock", auth: m, body: []byte(stock), want: badID},
			hostile{name: "cart line: " + name, method: http.MethodPut, path: "/api/v1/cart/items/" + id, auth: s, body: []byte(`{"quantity":1}`), want: badID},
			hostile{name: "order: " + name, method: http.MethodGet, path: "/api/v1/orders/" + id, auth: s, want: badID},
			hostile{name: "cancel: " + name, method: http.MethodPost, path: "/api/v1/orders/" + id + "/cancel", auth: s, want: badID},
			hostile{name: "ship: " + name, method: http.MethodPost, path: "/api/v1/merchant/orders/" + id + "/ship", auth: m, want: badID},
			hostile{name: "payment: " + name, method: http.MethodGet, path: "/api/v1/payments/" + id, auth: s, want: badID},
		)
	}
	return append(cs,
		hostile{name: "payment: the webhooks path", method: http.MethodGet, path: "/api/v1/payments/webhooks/stripe", auth: s,
			want: []int{http.StatusNotFound, http.StatusMethodNotAllowed}},
		hostile{name: "product: PUT", method: http.MethodPut, path: "/api/v1/products/" + w.product.ID, auth: s, body: []byte(`{"name":"pwned"}`),
			want: []int{http.StatusNotFound, http.StatusMethodNotAllowed}},
		hostile{name: "orders: POST", method: http.MethodPost, path: "/api/v1/orders", auth: s, body: js(checkoutBody("pm_card_visa")),
			header: map[string]string{"Idempotency-Key": unique("hostile")}, want: []int{http.StatusNotFound, http.StatusMethodNotAllowed}},
	)
}

// queryCases put operators and garbage in query parameters. A parameter a
// list does not know is ignored (200), as HTTP APIs commonly do; the
// answer must then still be a well-formed list of only what the caller may
// see, so the operator did nothing.
func (w *hostileWorld) queryCases() []hostile {
	s, m, v := bearer(w.shopper.Token), bearer(w.merchant.Token), bearer(w.victim.Token)
	okOr400 := []int{http.StatusOK, http.StatusBadRequest}
	get := func(name, path, auth string, want []int, check func(response) error) hostile {
		return hostile{name: name, method: http.MethodGet, path: path, auth: auth, want: want, check: check}
	}
	cursor := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	anyList := w.listOf(func(map[string]any) error { return nil })
	ownProducts := w.listOf(field("merchant_id", w.merchant.MerchantID))
	noOrderOf := func(id string) func(response) error {
		return w.listOf(func(it map[string]any) error {
			if it["id"] == id {
				return fmt.Errorf("lists order %s", id)
			}
			return nil
		})
	}
	shopperOrders := w.listOf(field("id", w.order.ID))
	return []hostile{
		get("products: q=$where", "/api/v1/products?q=$where", "", okOr400, anyList),
		get("products: q operator", "/api/v1/products?q="+url.QueryEscape(`{"$gt":""}`), "", okOr400, anyList),
		get("products: category[$ne]", "/api/v1/products?category[$ne]=x", "", okOr400, anyList),
		get("products: merchant_id[$ne]", "/api/v1/products?merchant_id[$ne]=x", "", okOr400, anyList),
		get("products: min_price[$gt]", "/api/v1/products?min_price[$gt]=0", "", okOr400, anyList),
		get("products: min_price word", "/api/v1/products?min_price=abc", "", badRequest, nil),
		get("products: min over max", "/api/v1/products?min_price=500&max_price=100", "", badRequest, nil),
		get("products: in_stock operator", "/api/v1/products?in_stock="+url.QueryEscape(`{"$ne":false}`), "", badRequest, nil),
		get("products: sort $natural", "/api/v1/products?sort=$natural", "", badRequest, nil),
		get("products: limit word", "/api/v1/products?limit=abc", "", badRequest, nil),
		get("products: limit 0", "/api/v1/products?limit=0", "", badRequest, nil),
		get("products: limit 1000", "/api/v1/products?limit=1000", "", badRequest, nil),
		get("products: limit -1", "/api/v1/products?limit=-1", "", badRequest, nil),
		get("products: garbage cursor", "/api/v1/products?cursor=%25%25garbage", "", badRequest, nil),
		get("products: operator cursor", "/api/v1/products?cursor="+cursor(`{"$gt":""}`), "", badRequest, nil),
		get("products: 300-character q", "/api/v1/products?q="+strings.Repeat("q", 300), "", badRequest, nil),
		get("products: ids=$where", "/api/v1/products?ids=$where", "", okOr400, anyList),
		get("products: 101 ids", "/api/v1/products?ids="+manyIDs(101), "", badRequest, nil),
		get("categories: $where", "/api/v1/categories?$where=1", "", []int{http.StatusOK}, anyList),

		get("own products: merchant_id of another", "/api/v1/merchant/products?merchant_id="+w.victim.MerchantID, m, okOr400, ownProducts),
		get("own products: garbage cursor", "/api/v1/merchant/products?cursor=garbage", m, badRequest, nil),
		get("own products: operator cursor", "/api/v1/merchant/products?cursor="+cursor(`{"$gt":""}`), m, badRequest, nil),
		get("own products: limit 0", "/api/v1/merchant/products?limit=0", m, badRequest, nil),

		get("orders: garbage cursor", "/api/v1/orders?cursor=!!!", s, badRequest, nil),
		get("orders: operator cursor", "/api/v1/orders?cursor="+cursor(`{"$gt":""}`), s, badRequest, nil),
		get("orders: cursor with an operator id", "/api/v1/orders?cursor="+cursor(`9999999999999:{"$gt":""}`), s, okOr400, shopperOrders),
		get("orders: limit word", "/api/v1/orders?limit=abc", s, badRequest, nil),
		get("orders: limit 101", "/api/v1/orders?limit=101", s, badRequest, nil),
		get("orders: shopper_id of another", "/api/v1/orders?shopper_id="+w.shopper.ID, bearer(w.stranger.Token), okOr400, noOrderOf(w.order.ID)),
		get("orders: shopper_id[$ne]", "/api/v1/orders?shopper_id[$ne]=x", bearer(w.stranger.Token), okOr400, noOrderOf(w.order.ID)),
		get("merchant orders: garbage cursor", "/api/v1/merchant/orders?cursor=!!!", m, badRequest, nil),
		get("merchant orders: merchant_id of another", "/api/v1/merchant/orders?merchant_id="+w.merchant.MerchantID, v, okOr400, noOrderOf(w.order.ID)),
		get("analytics: merchant_id of another", "/api/v1/merchant/analytics/summary?merchant_id="+w.merchant.MerchantID, v,
			[]int{http.StatusOK, http.StatusBadRequest}, w.summaryOf(w.victim.MerchantID)),
		get("me: id of another", "/api/v1/users/me?id="+w.merchant.ID, s, []int{http.StatusOK, http.StatusBadRequest}, w.meIs(w.shopper.ID)),
	}
}

// roleCases send valid requests with a token of the wrong role, of
// another merchant or shopper, or with identity headers of someone else.
func (w *hostileWorld) roleCases() []hostile {
	s, m, v, st := bearer(w.shopper.Token), bearer(w.merchant.Token), bearer(w.victim.Token), bearer(w.stranger.Token)
	product, order := "/api/v1/merchant/products/"+w.product.ID, "/api/v1/orders/"+w.order.ID
	rename := []byte(`{"name":"pwned"}`)
	restock := []byte(`{"delta":5}`)
	key := map[string]string{"Idempotency-Key": unique("hostile")}
	return []hostile{
		{name: "shopper creates a product", method: http.MethodPost, path: "/api/v1/merchant/products", auth: s, body: js(productBody()), want: forbidden},
		{name: "shopper lists merchant products", method: http.MethodGet, path: "/api/v1/merchant/products", auth: s, want: forbidden},
		{name: "shopper patches a product", method: http.MethodPatch, path: product, auth: s, body: rename, want: forbidden},
		{name: "shopper restocks", method: http.MethodPost, path: product + "/stock", auth: s, body: restock, want: forbidden},
		{name: "shopper archives", method: http.MethodDelete, path: product, auth: s, want: forbidden},
		{name: "shopper lists merchant orders", method: http.MethodGet, path: "/api/v1/merchant/orders", auth: s, want: forbidden},
		{name: "shopper ships", method: http.MethodPost, path: "/api/v1/merchant/orders/" + w.order.ID + "/ship", auth: s, want: forbidden},
		{name: "shopper reads analytics", method: http.MethodGet, path: "/api/v1/merchant/analytics/summary", auth: s, want: forbidden},

		{name: "merchant fills a cart", method: http.MethodPut, path: "/api/v1/cart/items/" + w.product.ID, auth: m, body: []byte(`{"quantity":1}`), want: forbidden},
		{name: "merchant reads a cart", method: http.MethodGet, path: "/api/v1/cart", auth: m, want: forbidden},
		{name: "merchant empties a cart", method: http.MethodDelete, path: "/api/v1/cart", auth: m, want: forbidden},
		{name: "merchant checks out", method: http.MethodPost, path: "/api/v1/checkout", auth: m, body: js(checkoutBody("pm_card_visa")), header: key, want: forbidden},
		{name: "merchant reads the shopper's order", method: http.MethodGet, path: order, auth: m, want: notFound},
		{name: "merchant cancels the shopper's order", method: http.MethodPost, path: order + "/cancel", auth: m, want: notFound},

		{name: "another merchant reads the product", method: http.MethodGet, path: product, auth: v, want: notFound},
		{name: "another merchant patches the product", method: http.MethodPatch, path: product, auth: v, body: rename, want: notFound},
		{name: "another merchant restocks the product", method: http.MethodPost, path: product + "/stock", auth: v, body: restock, want: notFound},
		{name: "another merchant archives the product", method: http.MethodDelete, path: product, auth: v, want: notFound},
		{name: "another merchant ships the order", method: http.MethodPost, path: "/api/v1/merchant/orders/" + w.order.ID + "/ship", auth: v, want: notFound},

		{name: "another shopper reads the order", method: http.MethodGet, path: order, auth: st, want: notFound},
		{name: "another shopper cancels the order", method: http.MethodPost, path: order + "/cancel", auth: st, want: notFound},
		{name: "another shopper reads the payment", method: http.MethodGet, path: "/api/v1/payments/" + w.order.ID, auth: st, want: notFound},
		{name: "another shopper with the owner's identity headers", method: http.MethodPost, path: order + "/cancel", auth: st,
			header: map[string]string{"X-User-Id": w.shopper.ID, "X-User-Roles": "shopper", "X-Authenticated-User": w.shopper.ID}, want: notFound},
		{name: "anonymous with identity headers", method: http.MethodDelete, path: "/api/v1/cart",
			header: map[string]string{"X-User-Id": w.shopper.ID, "X-User-Roles": "shopper"}, want: unauthorized},
		{name: "shopper with a merchant's identity headers", method: http.MethodPatch, path: product, auth: s, body: rename,
			header: map[string]string{"X-Merchant-Id": w.merchant.MerchantID, "X-User-Roles": "merchant"}, want: forbidden},
	}
}

// manyIDs is n distinct product ids, comma-separated.
func manyIDs(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("id%d", i)
	}
	return strings.Join(ids, ",")
}

// listOf checks a 200 list answer: {"items": [...]} whose every item
// passes item.
func (w *hostileWorld) listOf(item func(map[string]any) error) func(response) error {
	return func(r response) error {
		var list struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(r.body, &list); err != nil {
			return fmt.Errorf("not a list: %s: %w", shorten(string(r.body)), err)
		}
		if list.Items == nil {
			return fmt.Errorf("not a list: %s", shorten(string(r.body)))
		}
		for _, it := range list.Items {
			if err := item(it); err != nil {
				return err
			}
		}
		return nil
	}
}

// field requires an item's key to be want.
func field(key, want string) func(map[string]any) error {
	return func(it map[string]any) error {
		if it[key] != want {
			return fmt.Errorf("lists an item with %s %v, want only %s", key, it[key], want)
		}
		return nil
	}
}

func (w *hostileWorld) summaryOf(merchantID string) func(response) error {
	return func(r response) error {
		var sum struct {
			MerchantID  string `json:"merchant_id"`
			OrdersToday int    `json:"orders_today"`
		}
		if err := json.Unmarshal(r.body, &sum); err != nil || sum.MerchantID != merchantID || sum.OrdersToday != 0 {
			return fmt.Errorf("summary %s, want merchant %s's (no orders)", shorten(string(r.body)), merchantID)
		}
		return nil
	}
}

func (w *hostileWorld) meIs(userID string) func(response) error {
	return func(r response) error {
		var me struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(r.body, &me); err != nil || me.ID != userID {
			return fmt.Errorf("me is %s, want user %s", shorten(string(r.body)), userID)
		}
		return nil
	}
}
