package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHostileInputsChangeNothing sends every public endpoint of DESIGN §5
// the inputs an attacker or a broken client would (malformed JSON, wrong
// types, huge bodies, fields that try to set what the caller does not own,
// MongoDB operators, forged and expired tokens, the wrong role, replayed
// or forged webhooks, absurd quantities) and asserts that each gets a 4xx
// problem+json answer with the stable code of its status, and that the
// state of a shop with a paid order and a filled cart is, afterwards,
// exactly what it was: products and stock, carts, orders, the payment, the
// emulator's charges, the merchant's analytics, the accounts and their
// sessions.
func TestHostileInputsChangeNothing(t *testing.T) {
	a := newAPI(t)
	start := time.Now()
	w := newHostileWorld(a)
	t.Logf("shop set up in %s", time.Since(start).Round(time.Millisecond))

	before := w.snapshot()
	cases := w.cases()
	tableStart := time.Now()
	for _, c := range cases {
		r, err := a.raw(c.method, c.path, c.auth, c.body, c.stream, c.header)
		if err != nil {
			t.Errorf("%s: %s %s: %v", c.name, c.method, c.path, err)
			continue
		}
		if err := c.verify(r); err != nil {
			t.Errorf("%s: %s %s: %v", c.name, c.method, shorten(c.path), err)
		}
	}
	t.Logf("%d hostile requests in %s", len(cases), time.Since(tableStart).Round(time.Millisecond))

	after := w.snapshot()
	for _, name := range sortedKeys(before) {
		if before[name] != after[name] {
			t.Errorf("state of %s changed:\nbefore %s\nafter  %s", name, before[name], after[name])
		}
	}
	w.assertAccountsUntouched()
}

// hostileWorld is a small shop: merchant owns product, victim owns another
// product, shopper has a paid order of product and product in the cart.
type hostileWorld struct {
	a *api
	// merchant owns product and has a line of order; victim is another
	// merchant, with victimProduct.
	merchant, victim account
	// shopper placed order and has product in the cart; stranger is
	// another shopper.
	shopper, stranger      account
	product, victimProduct product
	order                  order
	orderKey               string
	// succeeded is the emulator's (already delivered) webhook event
	// payment_intent.succeeded of order.
	succeeded []byte
	// forged are access tokens that must not pass: name to token.
	forged map[string]string
	// registerEmails are the emails of refused registrations; none may
	// exist afterwards.
	registerEmails []string
}

// account is a registered user with what a client holds of it.
type account struct {
	user
	Email   string
	Refresh string
}

func newHostileWorld(a *api) *hostileWorld {
	a.t.Helper()
	w := &hostileWorld{a: a}
	w.merchant, w.victim = w.register("merchant"), w.register("merchant")
	w.shopper, w.stranger = w.register("shopper"), w.register("shopper")
	w.product = a.createProduct(w.merchant.user, unique("Hostile Lamp "), 1500, 10)
	w.victimProduct = a.createProduct(w.victim.user, unique("Victim Vase "), 2500, 5)

	a.addToCart(w.shopper.user, w.product.ID, 1)
	w.orderKey = unique("key")
	w.order = a.checkout(w.shopper.user, w.orderKey, "pm_card_visa")
	a.waitStatus(w.shopper.user, w.order.ID, "paid", "", 10*time.Second)
	a.addToCart(w.shopper.user, w.product.ID, 2)
	w.waitQuiet()
	w.forged = forgedTokens(a.t, w.shopper.Token, w.merchant.MerchantID)
	return w
}

// register makes an account of role and keeps its email and refresh token.
func (w *hostileWorld) register(role string) account {
	w.a.t.Helper()
	email := unique(role) + "@e2e.mercato.test"
	body := map[string]any{"email": email, "password": "correct horse battery", "name": "Hostile " + role, "role": role}
	if role == "merchant" {
		body["store_name"] = "Store " + email
	}
	var out struct {
		registerAnswer
		RefreshToken string `json:"refresh_token"`
	}
	w.a.must(http.StatusCreated, &out, http.MethodPost, "/api/v1/auth/register", "", body)
	return account{
		user:  user{ID: out.User.ID, MerchantID: out.User.MerchantID, Token: out.AccessToken},
		Email: email, Refresh: out.RefreshToken,
	}
}

// waitQuiet waits until everything the paid order set off has landed: the
// stock moved from held to sold (owner's and public view), the merchant's
// analytics counted the sale, and every webhook of the order was delivered.
func (w *hostileWorld) waitQuiet() {
	a := w.a
	a.t.Helper()
	eventually(a.t, 15*time.Second, "the paid order's effects", func() (bool, string) {
		var p struct {
			Stock struct{ Available, Held, Sold int64 } `json:"stock"`
		}
		a.must(http.StatusOK, &p, http.MethodGet, "/api/v1/merchant/products/"+w.product.ID, w.merchant.Token, nil)
		var sum struct {
			OrdersToday int `json:"orders_today"`
		}
		a.must(http.StatusOK, &sum, http.MethodGet, "/api/v1/merchant/analytics/summary", w.merchant.Token, nil)
		events, done := orderEvents(a.t, w.order.ID)
		state := fmt.Sprintf("stock %+v, analytics %d orders, %d webhooks (all done %v)", p.Stock, sum.OrdersToday, len(events), done)
		if p.Stock.Available != 9 || p.Stock.Held != 0 || p.Stock.Sold != 1 || sum.OrdersToday != 1 || !done ||
			a.available(w.product.ID) != 9 {
			return false, state
		}
		for _, ev := range events {
			if ev.Type == "payment_intent.succeeded" {
				w.succeeded = ev.Payload
			}
		}
		return w.succeeded != nil, state
	})
}

// snapshot reads the state hostile requests could touch, as the API and
// the emulator show it, each as canonical JSON.
func (w *hostileWorld) snapshot() map[string]string {
	a := w.a
	a.t.Helper()
	reads := []struct{ name, path, token string }{
		{"merchant's product", "/api/v1/merchant/products/" + w.product.ID, w.merchant.Token},
		{"merchant's products", "/api/v1/merchant/products?limit=100", w.merchant.Token},
		{"public product", "/api/v1/products/" + w.product.ID, ""},
		{"victim's product", "/api/v1/merchant/products/" + w.victimProduct.ID, w.victim.Token},
		{"victim's products", "/api/v1/merchant/products?limit=100", w.victim.Token},
		{"shopper's cart", "/api/v1/cart", w.shopper.Token},
		{"stranger's cart", "/api/v1/cart", w.stranger.Token},
		{"shopper's orders", "/api/v1/orders?limit=100", w.shopper.Token},
		{"stranger's orders", "/api/v1/orders?limit=100", w.stranger.Token},
		{"shopper's order", "/api/v1/orders/" + w.order.ID, w.shopper.Token},
		{"merchant's orders", "/api/v1/merchant/orders?limit=100", w.merchant.Token},
		{"victim's orders", "/api/v1/merchant/orders?limit=100", w.victim.Token},
		{"payment", "/api/v1/payments/" + w.order.ID, w.shopper.Token},
		{"shopper's account", "/api/v1/users/me", w.shopper.Token},
		{"merchant's account", "/api/v1/users/me", w.merchant.Token},
		{"victim's account", "/api/v1/users/me", w.victim.Token},
	}
	out := map[string]string{}
	for _, rd := range reads {
		var v any
		a.must(http.StatusOK, &v, http.MethodGet, rd.path, rd.token, nil)
		out[rd.name] = canonical(a.t, v)
	}
	// The analytics summary minus what moves with the clock.
	var sum map[string]any
	a.must(http.StatusOK, &sum, http.MethodGet, "/api/v1/merchant/analytics/summary", w.merchant.Token, nil)
	delete(sum, "orders_per_minute")
	delete(sum, "orders_last_hour")
	delete(sum, "day")
	out["merchant's analytics"] = canonical(a.t, sum)
	out["emulator's charges"] = canonical(a.t, stripeActivity(a.t, w.order.ID))
	return out
}

// assertAccountsUntouched checks what a snapshot cannot: the refresh
// tokens hostile requests aimed at still work (none was revoked or
// rotated), and no refused registration created its account.
func (w *hostileWorld) assertAccountsUntouched() {
	a := w.a
	a.t.Helper()
	for _, acc := range []account{w.shopper, w.merchant, w.victim} {
		if r := a.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": acc.Refresh}); r.status != http.StatusOK {
			a.t.Errorf("refresh token of %s no longer works: %s", acc.Email, r)
		}
	}
	for _, email := range w.registerEmails {
		body := map[string]any{"email": email, "password": "correct horse battery", "name": "Late"}
		if r := a.do(http.MethodPost, "/api/v1/auth/register", "", body); r.status != http.StatusCreated {
			a.t.Errorf("a refused registration of %s created the account: registering it now: %s", email, r)
		}
	}
}

// hostile is one request of the table and what it may get.
type hostile struct {
	name   string
	method string
	path   string
	// auth is the whole Authorization header ("" for none).
	auth string
	// body is sent as is; nil sends none. stream sends it chunked,
	// without a Content-Length.
	body   []byte
	stream bool
	header map[string]string
	// want lists the acceptable statuses (default 400).
	want []int
	// check inspects a 2xx answer, where want allows one.
	check func(response) error
}

// problemCodes is the stable code of each error status (DESIGN §5).
var problemCodes = map[int][]string{
	http.StatusBadRequest:            {"validation_failed"},
	http.StatusUnauthorized:          {"unauthorized"},
	http.StatusForbidden:             {"forbidden"},
	http.StatusNotFound:              {"not_found"},
	http.StatusMethodNotAllowed:      {"method_not_allowed"},
	http.StatusConflict:              {"conflict", "out_of_stock"},
	http.StatusRequestEntityTooLarge: {"payload_too_large"},
	http.StatusUnprocessableEntity:   {"unprocessable"},
	http.StatusTooManyRequests:       {"rate_limited"},
}

// verify checks the answer r against the case.
func (c hostile) verify(r response) error {
	want := c.want
	if len(want) == 0 {
		want = []int{http.StatusBadRequest}
	}
	if !slices.Contains(want, r.status) {
		return fmt.Errorf("got %s, want status %v", shorten(r.String()), want)
	}
	if r.status < 400 {
		if c.check != nil {
			return c.check(r)
		}
		return nil
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		return fmt.Errorf("status %d with Content-Type %q: %s", r.status, ct, shorten(string(r.body)))
	}
	var p struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		return fmt.Errorf("problem body %s: %w", shorten(string(r.body)), err)
	}
	if p.Status != r.status || !slices.Contains(problemCodes[r.status], p.Code) {
		return fmt.Errorf("status %d with problem status %d code %q, want code %v", r.status, p.Status, p.Code, problemCodes[r.status])
	}
	return nil
}

func canonical(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(generic) // maps marshal with sorted keys
	return string(b)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// shorten keeps failure messages readable when paths or bodies are huge.
func shorten(s string) string {
	const limit = 300
	if len(s) <= limit {
		return s
	}
	return s[:limit] + fmt.Sprintf("...(%d bytes)", len(s))
}
