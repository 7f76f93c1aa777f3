package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/orders/internal/store"
)

// problemOf is the problem code of an answer, or its status when it has
// none (safe to call off the test's goroutine).
func problemOf(rec *httptest.ResponseRecorder) string {
	var body struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Code == "" {
		return fmt.Sprintf("status %d", rec.Code)
	}
	return body.Code
}

// The race through the whole checkout: 100 shoppers with the code in their
// carts check out at once; exactly 10 orders get it, the other 90 are
// refused with discount_exhausted and create nothing.
func TestHundredShoppersRacingForTenUsesPlaceTenOrders(t *testing.T) {
	e := newEnv(t)
	e.catalog.put("mug", "m1", "Mug", 1200)
	e.createCode("m1", map[string]any{"code": "TEN", "kind": "fixed", "amount_off": 200, "currency": "EUR", "usage_limit": 10, "per_shopper_limit": 1})
	const shoppers = 100
	tokens := make([]string, shoppers)
	for i := range tokens {
		tokens[i] = e.shopper(fmt.Sprintf("racer-%03d", i))
		e.do(http.MethodPut, "/api/v1/cart/items/mug", tokens[i], qty(1))
		decode[pricedCartBody](t, e.applyCode(tokens[i], "TEN"), http.StatusOK)
	}
	statuses := make(chan string, shoppers)
	start := make(chan struct{})
	done := make(chan struct{})
	for _, tok := range tokens {
		go func() {
			defer func() { done <- struct{}{} }()
			<-start
			rec := e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "race")
			if rec.Code == http.StatusAccepted {
				statuses <- "placed"
				return
			}
			statuses <- problemOf(rec)
		}()
	}
	close(start)
	for range tokens {
		<-done
	}
	close(statuses)
	counts := map[string]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts["placed"] != 10 || counts["discount_exhausted"] != 90 {
		t.Fatalf("outcomes %v, want 10 placed and 90 discount_exhausted", counts)
	}
	n, err := e.db.Read.Collection(store.OrdersCollection).CountDocuments(context.Background(), bson.M{})
	if err != nil || n != 10 {
		t.Fatalf("%d orders stored, %v", n, err)
	}
	code := decode[map[string]any](t, e.do(http.MethodGet, "/api/v1/merchant/discounts/TEN", e.merchant("u1", "m1"), nil), http.StatusOK)
	if code["used"] != float64(10) {
		t.Fatalf("the code counts %v uses", code["used"])
	}
}

// Concurrent checkouts with one Idempotency-Key are one order, and so
// take one use of a code: none of them is refused because its twin took
// the last use.
func TestConcurrentCheckoutsWithOneKeyTakeOneUse(t *testing.T) {
	e := newEnv(t)
	e.catalog.put("mug", "m1", "Mug", 1200)
	e.createCode("m1", map[string]any{"code": "LAST", "kind": "fixed", "amount_off": 200, "currency": "EUR", "usage_limit": 1, "per_shopper_limit": 1})
	tok := e.shopper("s1")
	e.do(http.MethodPut, "/api/v1/cart/items/mug", tok, qty(1))
	decode[pricedCartBody](t, e.applyCode(tok, "LAST"), http.StatusOK)
	const n = 12
	ids := make(chan string, n)
	done := make(chan struct{}, n)
	for range n {
		go func() {
			defer func() { done <- struct{}{} }()
			rec := e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "same")
			var o pricedOrderBody
			if rec.Code != http.StatusAccepted || json.Unmarshal(rec.Body.Bytes(), &o) != nil || o.Total.Amount != 1000 {
				ids <- fmt.Sprintf("status %d: %s", rec.Code, rec.Body)
				return
			}
			ids <- o.ID
		}()
	}
	for range n {
		<-done
	}
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != 1 {
		t.Fatalf("concurrent requests saw %v, want one order", seen)
	}
	code := decode[map[string]any](t, e.do(http.MethodGet, "/api/v1/merchant/discounts/LAST", e.merchant("u1", "m1"), nil), http.StatusOK)
	if code["used"] != float64(1) {
		t.Fatalf("the code counts %v uses", code["used"])
	}
}
