package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/events"
)

type orderBody struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	CancelReason string `json:"cancel_reason"`
	Lines        []struct {
		ProductID  string `json:"product_id"`
		MerchantID string `json:"merchant_id"`
		Name       string `json:"name"`
		UnitPrice  money  `json:"unit_price"`
		Quantity   int64  `json:"quantity"`
	} `json:"lines"`
	Total           money          `json:"total"`
	PaymentStatus   string         `json:"payment_status"`
	ShippingAddress map[string]any `json:"shipping_address"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
}

func checkoutBody(pm string) map[string]any {
	return map[string]any{"payment_method": pm, "shipping_address": map[string]any{
		"name": "Ada Lovelace", "line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"}}
}

// fillCart puts a mug (m1) and tea (m2) in the shopper's cart.
func (e *env) fillCart(token string) {
	e.t.Helper()
	e.catalog.put("mug", "m1", "Mug", 1200)
	e.catalog.put("tea", "m2", "Tea", 500)
	for _, item := range []struct {
		id string
		n  int64
	}{{"mug", 2}, {"tea", 1}} {
		if rec := e.do(http.MethodPut, "/api/v1/cart/items/"+item.id, token, qty(item.n)); rec.Code != http.StatusOK {
			e.t.Fatalf("add %s: %d %s", item.id, rec.Code, rec.Body)
		}
	}
}

func TestCheckoutCreatesThePendingOrderWithItsEventAndEmptiesTheCart(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.fillCart(tok)
	e.catalog.put("mug", "m1", "Mug", 1300) // checkout re-prices from the catalog

	rec := e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1")
	o := decode[orderBody](t, rec, http.StatusAccepted)
	if rec.Header().Get("Location") != "/api/v1/orders/"+o.ID {
		t.Fatalf("Location %q for order %s", rec.Header().Get("Location"), o.ID)
	}
	if o.Status != "pending" || o.PaymentStatus != "not_started" || o.Total != (money{3100, "EUR"}) || len(o.Lines) != 2 ||
		o.Lines[0].UnitPrice.Amount != 1300 || o.Lines[0].MerchantID != "m1" || o.ShippingAddress["city"] != "Berlin" {
		t.Fatalf("order %+v", o)
	}
	// The order.placed event sits in the order's own outbox.
	var doc struct {
		Outbox []struct {
			Topic   string `bson:"topic"`
			Key     string `bson:"key"`
			Payload string `bson:"payload"`
		} `bson:"outbox"`
	}
	if err := e.db.Read.Collection(store.OrdersCollection).FindOne(context.Background(), bson.M{"_id": o.ID}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Outbox) != 1 || doc.Outbox[0].Topic != events.TopicOrders || doc.Outbox[0].Key != o.ID {
		t.Fatalf("outbox %+v", doc.Outbox)
	}
	env, err := events.Parse([]byte(doc.Outbox[0].Payload))
	var placed events.OrderPlaced
	if err != nil || env.Type != events.TypeOrderPlaced || env.Decode(&placed) != nil || placed.Total.Amount != 3100 || placed.ShopperID != "s1" {
		t.Fatalf("event %+v %v / %+v", env, err, placed)
	}
	if cart := decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK); len(cart.Items) != 0 {
		t.Fatalf("cart not emptied: %+v", cart)
	}
	// Shown to its owner.
	if got := decode[orderBody](t, e.do(http.MethodGet, "/api/v1/orders/"+o.ID, tok, nil), http.StatusOK); got.ID != o.ID {
		t.Fatalf("get: %+v", got)
	}
}

func TestCheckoutIsIdempotentPerKey(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.fillCart(tok)
	first := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"), http.StatusAccepted)

	// The cart is empty now, yet a replay returns the same order.
	rec := e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1")
	if again := decode[orderBody](t, rec, http.StatusAccepted); again.ID != first.ID || rec.Header().Get("Location") == "" {
		t.Fatalf("replay gave %s, want %s", again.ID, first.ID)
	}
	// The same key with another body is refused.
	if code := problem(t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_mastercard"), "Idempotency-Key", "k1"),
		http.StatusUnprocessableEntity); code != "unprocessable" {
		t.Fatalf("code %q", code)
	}
	// A new key with an empty cart is a clear conflict.
	if code := problem(t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k2"),
		http.StatusConflict); code != "conflict" {
		t.Fatalf("empty cart: code %q", code)
	}
	if n := e.countOrders("s1"); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
	// Another shopper's same key is another order.
	other := e.shopper("s2")
	e.fillCart(other)
	if o := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", other, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"), http.StatusAccepted); o.ID == first.ID {
		t.Fatal("two shoppers' keys collide")
	}
}

func TestConcurrentCheckoutsWithOneKeyCreateOneOrder(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.fillCart(tok)
	const n = 12
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			rec := e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "same")
			if rec.Code != http.StatusAccepted {
				t.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
			var o orderBody
			if err := json.Unmarshal(rec.Body.Bytes(), &o); err != nil {
				t.Error(err)
				return
			}
			ids <- o.ID
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != 1 {
		t.Fatalf("concurrent requests saw orders %v, want one", seen)
	}
	if count := e.countOrders("s1"); count != 1 {
		t.Fatalf("%d orders stored, want 1", count)
	}
}

func TestCheckoutValidation(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.fillCart(tok)
	bad := checkoutBody("")
	cases := []struct {
		name   string
		token  string
		body   any
		key    string
		status int
	}{
		{"missing Idempotency-Key", tok, checkoutBody("pm_card_visa"), "", http.StatusBadRequest},
		{"key too long", tok, checkoutBody("pm_card_visa"), string(make([]byte, 256)), http.StatusBadRequest},
		{"no payment method", tok, bad, "k", http.StatusBadRequest},
		{"client-set prices", tok, map[string]any{"payment_method": "pm_card_visa", "total": 1}, "k", http.StatusBadRequest},
		{"merchant", e.merchant("u9", "m1"), checkoutBody("pm_card_visa"), "k", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := []string{}
			if tc.key != "" {
				headers = append(headers, "Idempotency-Key", tc.key)
			}
			if rec := e.do(http.MethodPost, "/api/v1/checkout", tc.token, tc.body, headers...); rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
		})
	}
	if n := e.countOrders("s1"); n != 0 {
		t.Fatalf("refused checkouts created %d orders", n)
	}
}

func TestCheckoutWithTheCatalogDownIs503FastAndCreatesNothing(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.fillCart(tok)
	e.catalog.down.Store(true)
	// The breaker opens after three failures in a row.
	for i := range 3 {
		if rec := e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k"); rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("call %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	callsBefore := e.catalog.calls.Load()
	start := time.Now()
	rec := e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k")
	elapsed := time.Since(start)
	if code := problem(t, rec, http.StatusServiceUnavailable); code != "upstream_unavailable" || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("open breaker: code %q, headers %v", code, rec.Header())
	}
	if e.catalog.calls.Load() != callsBefore {
		t.Fatal("the open breaker still called the catalog")
	}
	if elapsed > 100*time.Millisecond {
		t.Fatalf("open breaker answered in %s", elapsed)
	}
	if n := e.countOrders("s1"); n != 0 {
		t.Fatalf("%d orders created with the catalog down", n)
	}
	if cart := decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK); len(cart.Items) != 2 {
		t.Fatalf("cart changed: %+v", cart)
	}
}

// A checkout cut short after the order insert but before the cart was
// emptied (a crash between the two writes) leaves a full cart; the client's
// retry with the same key must finish the job, not just return the order.
func TestReplayEmptiesACartThatTheCheckoutLeftFull(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	e.fillCart(tok)
	carts := e.db.Write.Collection(store.CartsCollection)
	var before bson.M
	if err := carts.FindOne(context.Background(), bson.M{"_id": "s1"}).Decode(&before); err != nil {
		t.Fatal(err)
	}
	first := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"), http.StatusAccepted)
	// Put the cart back as the interrupted checkout would have left it.
	if _, err := carts.ReplaceOne(context.Background(), bson.M{"_id": "s1"}, before); err != nil {
		t.Fatal(err)
	}
	if cart := decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK); len(cart.Items) == 0 {
		t.Fatal("setup: the cart should be full again")
	}

	again := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"), http.StatusAccepted)
	if again.ID != first.ID {
		t.Fatalf("replay gave order %s, want %s", again.ID, first.ID)
	}
	if cart := decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK); len(cart.Items) != 0 {
		t.Fatalf("the replay left the cart full: %+v", cart)
	}
	if n := e.countOrders("s1"); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}

	// Items added after the checkout are not the replay's to remove.
	e.fillCart(tok)
	decode[orderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"), http.StatusAccepted)
	if cart := decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK); len(cart.Items) == 0 {
		t.Fatal("a replay emptied a cart filled after the checkout")
	}
}
