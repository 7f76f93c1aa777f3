package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// httpClient is shared by the tests; the gateway and services are local.
var httpClient = &http.Client{Timeout: 30 * time.Second}

var nameCount atomic.Int64

// unique returns a name no other test (or earlier run) uses.
func unique(prefix string) string {
	return fmt.Sprintf("%s%d%03d", prefix, time.Now().UnixNano()/1000, nameCount.Add(1))
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body)) }

// api calls the public API through the gateway.
type api struct {
	t    *testing.T
	base string
}

// newAPI returns the API of the package's stack once every service serves
// through the gateway (an earlier test may have stopped or killed one).
func newAPI(t *testing.T) *api {
	t.Helper()
	a := &api{t: t, base: suite(t).GatewayURL()}
	a.waitServing()
	return a
}

var (
	probeOnce sync.Once
	probe     user
	probeErr  error
)

// waitServing waits until users, catalog, orders and payments each answer
// a request routed through the gateway.
func (a *api) waitServing() {
	a.t.Helper()
	probeOnce.Do(func() { probe, probeErr = a.tryRegister("shopper") })
	if probeErr != nil {
		a.t.Fatal(probeErr)
	}
	checks := []struct{ path, token string }{
		{"/api/v1/users/me", probe.Token},
		{"/api/v1/products?limit=1", ""},
		{"/api/v1/cart", probe.Token},
		{"/api/v1/orders?limit=1", probe.Token},
	}
	eventually(a.t, 60*time.Second, "every service serving through the gateway", func() (bool, string) {
		for _, c := range checks {
			r, err := a.call(http.MethodGet, c.path, c.token, nil)
			if err != nil || r.status != http.StatusOK {
				return false, fmt.Sprintf("GET %s: %v %v", c.path, r, err)
			}
		}
		return true, ""
	})
}

// call sends a request and returns the response; transport errors are
// returned, not fatal (the kill test expects some).
func (a *api) call(method, path, token string, body any, headers ...string) (response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	start := time.Now()
	resp, err := httpClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b, took: time.Since(start)}, nil
}

// do is call that fails the test on a transport error.
func (a *api) do(method, path, token string, body any, headers ...string) response {
	a.t.Helper()
	r, err := a.call(method, path, token, body, headers...)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// must calls and decodes the answer into out, failing unless the status is
// want.
func (a *api) must(want int, out any, method, path, token string, body any, headers ...string) response {
	a.t.Helper()
	r := a.do(method, path, token, body, headers...)
	if r.status != want {
		a.t.Fatalf("%s %s: %s, want %d", method, path, r, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			a.t.Fatalf("%s %s: decode %s: %v", method, path, r.body, err)
		}
	}
	return r
}

// eventually polls cond every 50 ms until it holds or limit passes; the
// failure shows cond's last description.
func eventually(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last: %s", what, limit, state)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
}

// user is a registered account with its access token.
type user struct {
	ID         string
	MerchantID string
	Token      string
}

type registerAnswer struct {
	User struct {
		ID         string `json:"id"`
		MerchantID string `json:"merchant_id"`
	} `json:"user"`
	AccessToken string `json:"access_token"`
}

func (a *api) register(role string) user {
	a.t.Helper()
	u, err := a.tryRegister(role)
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// tryRegister registers a user of role; safe to call from any goroutine.
func (a *api) tryRegister(role string) (user, error) {
	name := unique(role)
	body := map[string]any{"email": name + "@e2e.mercato.test", "password": "correct horse battery", "name": "E2E " + role, "role": role}
	if role == "merchant" {
		body["store_name"] = "Store " + name
	}
	r, err := a.call(http.MethodPost, "/api/v1/auth/register", "", body)
	if err != nil {
		return user{}, fmt.Errorf("register %s: %w", role, err)
	}
	var out registerAnswer
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &out) != nil || out.AccessToken == "" ||
		(role == "merchant" && out.User.MerchantID == "") {
		return user{}, fmt.Errorf("register %s: %s", role, r)
	}
	return user{ID: out.User.ID, MerchantID: out.User.MerchantID, Token: out.AccessToken}, nil
}

func (a *api) shopper() user  { return a.register("shopper") }
func (a *api) merchant() user { return a.register("merchant") }

// currency is the store currency of the catalog (STORE_CURRENCY default).
const currency = "USD"

type money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type product struct {
	ID         string `json:"id"`
	MerchantID string `json:"merchant_id"`
	Name       string `json:"name"`
	Price      money  `json:"price"`
	Stock      struct {
		Available int64 `json:"available"`
	} `json:"stock"`
}

// createProduct creates a product of merchant m with stock units.
func (a *api) createProduct(m user, name string, amount, stock int64) product {
	a.t.Helper()
	var p product
	a.must(http.StatusCreated, &p, http.MethodPost, "/api/v1/merchant/products", m.Token, map[string]any{
		"sku": unique("SKU-"), "name": name, "description": "An end-to-end test product", "category": "e2e",
		"price": money{amount, currency}, "stock": stock, "images": []string{},
	})
	if p.ID == "" {
		a.t.Fatalf("created product has no id: %+v", p)
	}
	return p
}

// available is a product's public available stock (-1 when not found).
func (a *api) available(id string) int64 {
	a.t.Helper()
	var p product
	r := a.do(http.MethodGet, "/api/v1/products/"+id, "", nil)
	if r.status != http.StatusOK || json.Unmarshal(r.body, &p) != nil {
		return -1
	}
	return p.Stock.Available
}

// waitAvailable waits until a product's available stock is want.
func (a *api) waitAvailable(id string, want int64, limit time.Duration) {
	a.t.Helper()
	eventually(a.t, limit, "stock of "+id, func() (bool, string) {
		got := a.available(id)
		return got == want, fmt.Sprintf("available %d, want %d", got, want)
	})
}

func (a *api) addToCart(s user, productID string, quantity int64) {
	a.t.Helper()
	a.must(http.StatusOK, nil, http.MethodPut, "/api/v1/cart/items/"+productID, s.Token, map[string]int64{"quantity": quantity})
}

type order struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	CancelReason string `json:"cancel_reason"`
	Lines        []struct {
		ProductID  string `json:"product_id"`
		MerchantID string `json:"merchant_id"`
		Quantity   int64  `json:"quantity"`
		UnitPrice  money  `json:"unit_price"`
	} `json:"lines"`
	Total         money  `json:"total"`
	PaymentStatus string `json:"payment_status"`
}

func checkoutBody(paymentMethod string) map[string]any {
	return map[string]any{"payment_method": paymentMethod, "shipping_address": map[string]any{
		"name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "London", "postal_code": "N1 9GU", "country": "GB"}}
}

// checkout checks out s's cart with key and expects 202 and the order.
func (a *api) checkout(s user, key, paymentMethod string) order {
	a.t.Helper()
	var o order
	r := a.must(http.StatusAccepted, &o, http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody(paymentMethod), "Idempotency-Key", key)
	if !strings.HasSuffix(r.header.Get("Location"), "/api/v1/orders/"+o.ID) {
		a.t.Fatalf("checkout Location %q for order %s", r.header.Get("Location"), o.ID)
	}
	return o
}

// order reads one of s's orders.
func (a *api) order(s user, id string) order {
	a.t.Helper()
	var o order
	a.must(http.StatusOK, &o, http.MethodGet, "/api/v1/orders/"+id, s.Token, nil)
	return o
}

// terminal statuses: no order stays anywhere else.
var terminal = map[string]bool{"paid": true, "shipped": true, "cancelled": true, "refunded": true}

// waitStatus waits until s's order has status (and reason, if given).
func (a *api) waitStatus(s user, id, status, reason string, limit time.Duration) order {
	a.t.Helper()
	var o order
	eventually(a.t, limit, "order "+id+" "+status, func() (bool, string) {
		o = a.order(s, id)
		return o.Status == status && (reason == "" || o.CancelReason == reason), fmt.Sprintf("%+v", o)
	})
	return o
}

type orderList struct {
	Items      []order `json:"items"`
	NextCursor string  `json:"next_cursor"`
}
