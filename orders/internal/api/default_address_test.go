package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/auth"
)

// usersAddress is a saved address as users renders it (users/internal/api
// addressResponse, contracts/users-address.json).
type usersAddress struct {
	ID         string `json:"id"`
	Default    bool   `json:"default"`
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// fakeUsers serves users' GET /internal/v1/users/{id}/addresses/default as
// users does: the caller must hold that user's token (verified like users
// verifies it) or an admin's, and a user without a default is 404; down
// makes it answer 503.
type fakeUsers struct {
	server   *httptest.Server
	verifier *auth.Verifier
	down     atomic.Bool
	calls    atomic.Int64

	mu        sync.Mutex
	defaults  map[string]usersAddress
	forbidden int // calls refused for another user's token
}

func newFakeUsers(t *testing.T, verifier *auth.Verifier) *fakeUsers {
	f := &fakeUsers{verifier: verifier, defaults: map[string]usersAddress{}}
	f.server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.server.Close)
	return f
}

func (f *fakeUsers) setDefault(userID string, a usersAddress) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a.Default = true
	f.defaults[userID] = a
}

func (f *fakeUsers) serve(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if f.down.Load() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	id, ok := strings.CutPrefix(r.URL.Path, "/internal/v1/users/")
	id, ok2 := strings.CutSuffix(id, "/addresses/default")
	if !ok || !ok2 || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	raw, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	caller, err := f.verifier.Verify(r.Context(), raw)
	if err != nil {
		http.Error(w, `{"code":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if caller.UserID != id && !caller.IsAdmin() {
		f.forbidden++
		http.Error(w, `{"code":"forbidden"}`, http.StatusForbidden)
		return
	}
	a, ok := f.defaults[id]
	if !ok {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"code":"not_found","detail":"no address saved"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(a)
}

var home = usersAddress{ID: "a1", Name: "Grace Hopper", Line1: "7 Cobol Lane", Line2: "Floor 2", City: "Arlington",
	Region: "VA", PostalCode: "22201", Country: "US"}

// wantShipsTo fails unless o's shipping address is a.
func wantShipsTo(t *testing.T, o orderBody, a usersAddress) {
	t.Helper()
	want := map[string]any{"name": a.Name, "line1": a.Line1, "line2": a.Line2, "city": a.City, "region": a.Region,
		"postal_code": a.PostalCode, "country": a.Country}
	for k, v := range want {
		if o.ShippingAddress[k] != v {
			t.Fatalf("order %s ships to %v, want %v", o.ID, o.ShippingAddress, want)
		}
	}
}

func TestCheckoutWithoutAnAddressShipsToTheDefault(t *testing.T) {
	for name, body := range map[string]map[string]any{
		"absent": {"payment_method": "pm_card_visa"},
		"empty":  {"payment_method": "pm_card_visa", "shipping_address": map[string]any{"name": "", "line1": " ", "country": ""}},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			tok := e.shopper("s1")
			e.users.setDefault("s1", home)
			e.fillCart(tok)
			o := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, body, "Idempotency-Key", "k1"), http.StatusAccepted)
			wantShipsTo(t, o, home)
			stored := decode[orderBody](t, e.do(http.MethodGet, "/api/v1/orders/"+o.ID, tok, nil), http.StatusOK)
			wantShipsTo(t, stored, home)
			if e.users.forbidden != 0 {
				t.Fatalf("users refused %d calls: orders did not forward the shopper's own token", e.users.forbidden)
			}
		})
	}
}

func TestAnAddressSentWinsOverTheDefault(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.users.setDefault("s1", home)
	e.fillCart(tok)
	o := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"), http.StatusAccepted)
	if o.ShippingAddress["city"] != "Berlin" || o.ShippingAddress["name"] != "Ada Lovelace" {
		t.Fatalf("order ships to %v, want the address sent", o.ShippingAddress)
	}
	if n := e.users.calls.Load(); n != 0 {
		t.Fatalf("users called %d times for a checkout that sent its address", n)
	}
	// A partial address is the shopper's, validated as sent: no default fills the gaps.
	partial := map[string]any{"payment_method": "pm_card_visa", "shipping_address": map[string]any{"city": "Berlin"}}
	rec := e.do(http.MethodPost, "/api/v1/checkout", tok, partial, "Idempotency-Key", "k2")
	if fields := problemFields(t, rec); !fields["shipping_address.name"] || !fields["shipping_address.line1"] {
		t.Fatalf("partial address: fields %v", fields)
	}
}

// problemFields is the set of fields a 400 validation_failed problem names.
func problemFields(t *testing.T, rec *httptest.ResponseRecorder) map[string]bool {
	t.Helper()
	p := decode[struct {
		Code   string `json:"code"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}](t, rec, http.StatusBadRequest)
	if p.Code != "validation_failed" {
		t.Fatalf("code %q, want validation_failed: %s", p.Code, rec.Body)
	}
	out := map[string]bool{}
	for _, f := range p.Errors {
		out[f.Field] = true
	}
	return out
}

func TestCheckoutWithoutAnAddressAndNoDefaultIs400(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.users.setDefault("s2", home) // another shopper's default is not s1's
	e.fillCart(tok)
	rec := e.do(http.MethodPost, "/api/v1/checkout", tok, map[string]any{"payment_method": "pm_card_visa"}, "Idempotency-Key", "k1")
	if fields := problemFields(t, rec); len(fields) != 1 || !fields["shipping_address"] {
		t.Fatalf("fields %v, want shipping_address", fields)
	}
	if !strings.Contains(rec.Body.String(), "no default address") {
		t.Fatalf("the problem does not say no default address is saved: %s", rec.Body)
	}
	if n := e.countOrders("s1"); n != 0 {
		t.Fatalf("%d orders stored", n)
	}
	// The payment method is still checked, and first: users is not asked.
	calls := e.users.calls.Load()
	if fields := problemFields(t, e.do(http.MethodPost, "/api/v1/checkout", tok, map[string]any{"payment_method": "card"}, "Idempotency-Key", "k2")); !fields["payment_method"] || fields["shipping_address"] {
		t.Fatalf("bad payment method: fields %v", fields)
	}
	if e.users.calls.Load() != calls {
		t.Fatal("users was asked for an address of a request refused anyway")
	}
}

// A default address that orders' rules refuse is refused as if it had
// been sent.
func TestADefaultAddressIsValidatedAsIfSent(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	bad := home
	bad.Country = "usa"
	e.users.setDefault("s1", bad)
	e.fillCart(tok)
	rec := e.do(http.MethodPost, "/api/v1/checkout", tok, map[string]any{"payment_method": "pm_card_visa"}, "Idempotency-Key", "k1")
	if fields := problemFields(t, rec); !fields["shipping_address.country"] {
		t.Fatalf("fields %v, want shipping_address.country", fields)
	}
	if n := e.countOrders("s1"); n != 0 {
		t.Fatalf("%d orders stored", n)
	}
}

func TestCheckoutWithUsersDownIs503AndStoresNothing(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.users.setDefault("s1", home)
	e.fillCart(tok)
	e.users.down.Store(true)
	body := map[string]any{"payment_method": "pm_card_visa"}
	// The users breaker opens after three failures in a row.
	for i := range 3 {
		rec := e.do(http.MethodPost, "/api/v1/checkout", tok, body, "Idempotency-Key", "k1")
		if code := problem(t, rec, http.StatusServiceUnavailable); code != "upstream_unavailable" || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("call %d: code %q, headers %v", i, code, rec.Header())
		}
	}
	before := e.users.calls.Load()
	start := time.Now()
	rec := e.do(http.MethodPost, "/api/v1/checkout", tok, body, "Idempotency-Key", "k1")
	if code := problem(t, rec, http.StatusServiceUnavailable); code != "upstream_unavailable" || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("open breaker: code %q, headers %v", code, rec.Header())
	}
	if e.users.calls.Load() != before || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("the open breaker still called users (or answered in %s)", time.Since(start))
	}
	if n := e.countOrders("s1"); n != 0 {
		t.Fatalf("%d orders stored with users down", n)
	}
	if cart := decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK); len(cart.Items) != 2 {
		t.Fatalf("cart changed: %+v", cart)
	}
	// An address sent needs no users: the checkout goes through.
	decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k2"), http.StatusAccepted)
}

// The fingerprint of a checkout that took the default is that of the body
// as sent: the same key and body again is the same order, even after the
// default changed (and users is not asked again); the key with an address
// is another request.
func TestAReplayOfADefaultAddressCheckoutIsTheSameOrder(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.users.setDefault("s1", home)
	e.fillCart(tok)
	body := map[string]any{"payment_method": "pm_card_visa"}
	first := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, body, "Idempotency-Key", "k1"), http.StatusAccepted)

	moved := home
	moved.ID, moved.City = "a2", "Boston"
	e.users.setDefault("s1", moved)
	calls := e.users.calls.Load()
	again := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, body, "Idempotency-Key", "k1"), http.StatusAccepted)
	if again.ID != first.ID {
		t.Fatalf("replay made order %s, want %s", again.ID, first.ID)
	}
	wantShipsTo(t, again, home)
	if e.users.calls.Load() != calls {
		t.Fatal("a replay asked users for the default again")
	}
	if rec := e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("the key with an address sent: %d %s, want 422", rec.Code, rec.Body)
	}
	if n := e.countOrders("s1"); n != 1 {
		t.Fatalf("%d orders stored, want 1", n)
	}
}
