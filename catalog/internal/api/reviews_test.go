package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/consumer"
	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/events"
)

// ship delivers order.shipped of orderID for shopperID's productIDs to the
// catalog's real event handlers, as the orders.events consumer does.
func (s *server) ship(shopperID, orderID string, productIDs ...string) {
	s.t.Helper()
	lines := make([]events.OrderLine, len(productIDs))
	for i, id := range productIDs {
		lines[i] = events.OrderLine{ProductID: id, MerchantID: "mA", Name: "x", UnitPrice: events.Money{Amount: 1, Currency: "USD"}, Quantity: 1}
	}
	env, err := events.New(events.SourceOrders, events.TypeOrderShipped, orderID, events.OrderShipped{
		OrderID: orderID, ShopperID: shopperID, MerchantID: "mA", Lines: lines, ShippedAt: time.Now(), Complete: true,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	payload, err := env.Marshal()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := consumer.Handlers(s.svc).Handle(context.Background(), payload); err != nil {
		s.t.Fatalf("order.shipped: %v", err)
	}
}

func (s *server) shopperToken(id string) string {
	return s.issuer.Token(auth.Caller{UserID: id, Roles: []string{"shopper"}})
}

// rating is the product's public rating.
func (s *server) rating(id string) (float64, float64) {
	s.t.Helper()
	status, out := s.do(http.MethodGet, "/api/v1/products/"+id, "", nil)
	if status != http.StatusOK {
		s.t.Fatalf("product %s: %d %v", id, status, out)
	}
	r, ok := out["rating"].(map[string]any)
	if !ok {
		s.t.Fatalf("product without rating: %v", out)
	}
	return r["average"].(float64), r["count"].(float64)
}

func reviewsPath(id string) string { return "/api/v1/products/" + id + "/reviews" }

func TestReviewOnlyAfterShipmentAndOnce(t *testing.T) {
	s := newServer(t)
	id := s.create(s.merchantA, productBody("MUG-1", "Blue mug", "Kitchen", 1299, 5))
	body := map[string]any{"rating": 4, "text": "Lovely <b>mug</b> & <script>alert(1)</script>"}

	if status, out := s.do(http.MethodPost, reviewsPath(id), s.shopper, body); status != http.StatusForbidden || out["code"] != "forbidden" {
		t.Fatalf("before shipment: %d %v, want 403 forbidden", status, out)
	}
	// Another shopper's shipment, and a shipment of another product, do
	// not make this shopper eligible.
	other := s.create(s.merchantA, productBody("MUG-2", "Red mug", "Kitchen", 999, 5))
	s.ship("someone-else", "o-1", id)
	s.ship("us", "o-2", other)
	if status, _ := s.do(http.MethodPost, reviewsPath(id), s.shopper, body); status != http.StatusForbidden {
		t.Fatalf("with only others' shipments: %d, want 403", status)
	}

	s.ship("us", "o-3", id)
	s.ship("us", "o-3", id) // redelivered
	status, out := s.do(http.MethodPost, reviewsPath(id), s.shopper, body)
	if status != http.StatusCreated || out["text"] != body["text"] || out["rating"].(float64) != 4 || out["reply"] != nil {
		t.Fatalf("review: %d %v", status, out)
	}
	if _, named := out["shopper_id"]; named {
		t.Fatalf("the review names its shopper: %v", out)
	}
	if status, out := s.do(http.MethodPost, reviewsPath(id), s.shopper, map[string]any{"rating": 1, "text": "changed my mind"}); status != http.StatusConflict || out["code"] != "conflict" {
		t.Fatalf("second review: %d %v, want 409 conflict", status, out)
	}
	if avg, n := s.rating(id); avg != 4 || n != 1 {
		t.Fatalf("rating %v over %v, want 4 over 1", avg, n)
	}
	if avg, n := s.rating(other); avg != 0 || n != 0 {
		t.Fatalf("other product's rating %v over %v", avg, n)
	}

	status, list := s.do(http.MethodGet, reviewsPath(id), "", nil)
	items, _ := list["items"].([]any)
	if status != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["text"] != body["text"] || list["next_cursor"] != "" {
		t.Fatalf("reviews: %d %v", status, list)
	}

	if status, _ := s.do(http.MethodPost, reviewsPath(id), s.merchantA, body); status != http.StatusForbidden {
		t.Fatalf("review by a merchant: %d, want 403", status)
	}
	if status, _ := s.do(http.MethodPost, reviewsPath(id), "", body); status != http.StatusUnauthorized {
		t.Fatalf("review without token: %d, want 401", status)
	}
	if status, _ := s.do(http.MethodGet, reviewsPath("no-such-product"), "", nil); status != http.StatusNotFound {
		t.Fatalf("reviews of an unknown product: %d, want 404", status)
	}
}

func TestReviewBadInputIsRefusedAndNothingStored(t *testing.T) {
	s := newServer(t)
	id := s.create(s.merchantA, productBody("MUG-1", "Blue mug", "Kitchen", 1299, 5))
	s.ship("us", "o-1", id)
	cases := []struct {
		name, field string
		body        any
	}{
		{"rating 0", "rating", map[string]any{"rating": 0, "text": "ok"}},
		{"rating 6", "rating", map[string]any{"rating": 6, "text": "ok"}},
		{"no rating", "rating", map[string]any{"text": "ok"}},
		{"fractional rating", "rating", `{"rating": 4.5, "text": "ok"}`},
		{"empty text", "text", map[string]any{"rating": 3, "text": ""}},
		{"blank text", "text", map[string]any{"rating": 3, "text": " \n "}},
		{"too long text", "text", map[string]any{"rating": 3, "text": strings.Repeat("é", domain.MaxReviewTextLen+1)}},
		{"control character", "text", map[string]any{"rating": 3, "text": "a\u0007b"}},
		{"client-chosen id", "id", map[string]any{"rating": 3, "text": "ok", "id": "mine"}},
		{"malformed", "body", `{"rating":`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, out := s.do(http.MethodPost, reviewsPath(id), s.shopper, tc.body)
			if status != http.StatusBadRequest || out["code"] != "validation_failed" {
				t.Fatalf("%d %v, want 400 validation_failed", status, out)
			}
			found := false
			for _, e := range out["errors"].([]any) {
				found = found || e.(map[string]any)["field"] == tc.field
			}
			if !found {
				t.Fatalf("errors %v, want one on %s", out["errors"], tc.field)
			}
		})
	}
	if _, n := s.rating(id); n != 0 {
		t.Fatalf("bad reviews counted: %v", n)
	}
	if _, list := s.do(http.MethodGet, reviewsPath(id), "", nil); len(list["items"].([]any)) != 0 {
		t.Fatalf("bad reviews listed: %v", list)
	}
	// The limit is in characters: exactly the limit is accepted.
	status, out := s.do(http.MethodPost, reviewsPath(id), s.shopper, map[string]any{"rating": 5, "text": strings.Repeat("é", domain.MaxReviewTextLen)})
	if status != http.StatusCreated {
		t.Fatalf("text of %d characters: %d %v", domain.MaxReviewTextLen, status, out)
	}
	if status, _ := s.do(http.MethodGet, reviewsPath(id)+"?cursor=nonsense", "", nil); status != http.StatusBadRequest {
		t.Fatalf("bad cursor: %d, want 400", status)
	}
}

func TestMerchantRepliesOnceToReviewsOfItsOwnProduct(t *testing.T) {
	s := newServer(t)
	id := s.create(s.merchantA, productBody("MUG-1", "Blue mug", "Kitchen", 1299, 5))
	other := s.create(s.merchantA, productBody("MUG-2", "Red mug", "Kitchen", 999, 5))
	s.ship("us", "o-1", id)
	_, review := s.do(http.MethodPost, reviewsPath(id), s.shopper, map[string]any{"rating": 2, "text": "Chipped"})
	rid, _ := review["id"].(string)
	replyPath := func(product, review string) string {
		return "/api/v1/merchant/products/" + product + "/reviews/" + review + "/reply"
	}
	reply := map[string]any{"text": "Sorry! <i>We will send another.</i>"}

	for name, tc := range map[string]struct {
		token, path string
		body        any
		status      int
	}{
		"another merchant":           {s.merchantB, replyPath(id, rid), reply, http.StatusNotFound},
		"a shopper":                  {s.shopper, replyPath(id, rid), reply, http.StatusForbidden},
		"review of another product":  {s.merchantA, replyPath(other, rid), reply, http.StatusNotFound},
		"unknown review":             {s.merchantA, replyPath(id, strings.Repeat("0", 32)), reply, http.StatusNotFound},
		"empty text":                 {s.merchantA, replyPath(id, rid), map[string]any{"text": " "}, http.StatusBadRequest},
		"too long text":              {s.merchantA, replyPath(id, rid), map[string]any{"text": strings.Repeat("x", domain.MaxReviewTextLen+1)}, http.StatusBadRequest},
		"malformed review id in URL": {s.merchantA, replyPath(id, "x"), reply, http.StatusNotFound},
	} {
		if status, out := s.do(http.MethodPost, tc.path, tc.token, tc.body); status != tc.status {
			t.Fatalf("%s: %d %v, want %d", name, status, out, tc.status)
		}
	}
	if _, list := s.do(http.MethodGet, reviewsPath(id), "", nil); list["items"].([]any)[0].(map[string]any)["reply"] != nil {
		t.Fatalf("a refused reply was stored: %v", list)
	}

	status, out := s.do(http.MethodPost, replyPath(id, rid), s.merchantA, reply)
	if status != http.StatusCreated || out["reply"].(map[string]any)["text"] != reply["text"] {
		t.Fatalf("reply: %d %v", status, out)
	}
	if status, out := s.do(http.MethodPost, replyPath(id, rid), s.merchantA, map[string]any{"text": "again"}); status != http.StatusConflict {
		t.Fatalf("second reply: %d %v, want 409", status, out)
	}
	_, list := s.do(http.MethodGet, reviewsPath(id), "", nil)
	if got := list["items"].([]any)[0].(map[string]any)["reply"].(map[string]any)["text"]; got != reply["text"] {
		t.Fatalf("listed reply %v", got)
	}
}

// TestConcurrentReviewsCountExactly: shoppers reviewing one product at
// once give an exact count and sum, and the list pages through every
// review exactly once. (Reviews listed within the same instant may come
// in either order; TestReviewsAreListedNewestFirst checks the order.)
func TestConcurrentReviewsCountExactly(t *testing.T) {
	s := newServer(t)
	id := s.create(s.merchantA, productBody("MUG-1", "Blue mug", "Kitchen", 1299, 5))
	const shoppers = 30
	tokens := make([]string, shoppers)
	for i := range tokens {
		shopperID := fmt.Sprint("shopper-", i)
		s.ship(shopperID, fmt.Sprint("o-", i), id)
		tokens[i] = s.shopperToken(shopperID)
	}
	var wg sync.WaitGroup
	statuses := make(chan int, shoppers)
	wantSum := 0
	for i, tok := range tokens {
		rating := i%5 + 1
		wantSum += rating
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _ := s.do(http.MethodPost, reviewsPath(id), tok, map[string]any{"rating": rating, "text": fmt.Sprint("review ", i)})
			statuses <- status
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusCreated {
			t.Fatalf("a concurrent review got %d", st)
		}
	}
	p, err := s.store.OwnedProduct(context.Background(), "mA", id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rating.Count != shoppers || p.Rating.Sum != int64(wantSum) {
		t.Fatalf("stored rating %+v, want count %d sum %d", p.Rating, shoppers, wantSum)
	}
	if avg, n := s.rating(id); n != shoppers || avg != p.Rating.Average() {
		t.Fatalf("public rating %v over %v", avg, n)
	}

	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		path := reviewsPath(id) + "?limit=7"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		status, out := s.do(http.MethodGet, path, "", nil)
		if status != http.StatusOK || pages > shoppers {
			t.Fatalf("page %d: %d %v", pages, status, out)
		}
		for _, it := range out["items"].([]any) {
			r := it.(map[string]any)
			rid := r["id"].(string)
			if seen[rid] {
				t.Fatalf("review %s listed twice", rid)
			}
			seen[rid] = true
		}
		if cursor = out["next_cursor"].(string); cursor == "" {
			break
		}
	}
	if len(seen) != shoppers {
		t.Fatalf("paged %d reviews, want %d", len(seen), shoppers)
	}
}

// TestPendingReviewIsFinishedOnceByTheRetry: a review stored but not yet
// counted (the process died in between) is counted by the shopper's next
// attempt, once, however often it is retried.
func TestPendingReviewIsFinishedOnceByTheRetry(t *testing.T) {
	s := newServer(t)
	id := s.create(s.merchantA, productBody("MUG-1", "Blue mug", "Kitchen", 1299, 5))
	s.ship("us", "o-1", id)
	r, err := domain.NewReview(id, "us", domain.ReviewInput{Rating: 5, Text: "Great"}, time.Now().UTC().Truncate(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.InsertReview(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if _, n := s.rating(id); n != 0 {
		t.Fatalf("pending review counted: %v", n)
	}
	for range 3 {
		if status, _ := s.do(http.MethodPost, reviewsPath(id), s.shopper, map[string]any{"rating": 1, "text": "retry"}); status != http.StatusConflict {
			t.Fatalf("retry: %d, want 409", status)
		}
	}
	if avg, n := s.rating(id); avg != 5 || n != 1 {
		t.Fatalf("rating %v over %v, want 5 over 1", avg, n)
	}
	got, err := s.store.Review(context.Background(), r.ID)
	if err != nil || got.Pending || got.Text != "Great" {
		t.Fatalf("review after the retries: %v %+v", err, got)
	}
	if _, list := s.do(http.MethodGet, reviewsPath(id), "", nil); len(list["items"].([]any)) != 1 {
		t.Fatalf("listed %v", list)
	}
}

func TestReviewsAreListedNewestFirst(t *testing.T) {
	s := newServer(t)
	id := s.create(s.merchantA, productBody("MUG-1", "Blue mug", "Kitchen", 1299, 5))
	var want []string
	for i := range 5 {
		shopperID := fmt.Sprint("shopper-", i)
		s.ship(shopperID, fmt.Sprint("o-", i), id)
		status, out := s.do(http.MethodPost, reviewsPath(id), s.shopperToken(shopperID), map[string]any{"rating": 3, "text": fmt.Sprint("review ", i)})
		if status != http.StatusCreated {
			t.Fatalf("review %d: %d %v", i, status, out)
		}
		want = append([]string{out["id"].(string)}, want...)
	}
	var got []string
	cursor := ""
	for {
		path := reviewsPath(id) + "?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		_, out := s.do(http.MethodGet, path, "", nil)
		for _, it := range out["items"].([]any) {
			got = append(got, it.(map[string]any)["id"].(string))
		}
		if cursor = out["next_cursor"].(string); cursor == "" {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want newest first %v", got, want)
	}
}
