package analytics_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/orders/internal/analytics"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/auth/authtest"
	"github.com/mercato-shop/mercato/platform/events"
)

// api serves the model's routes as the orders service mounts them: behind
// the token check and the merchant role.
type api struct {
	*fixture
	url string
	iss *authtest.Issuer
}

func newAPI(t *testing.T, f *fixture) *api {
	t.Helper()
	gin.SetMode(gin.TestMode)
	iss := authtest.New(t)
	r := gin.New()
	f.model.Routes(r.Group("", iss.Verifier(t).Require(), auth.RequireRole(auth.RoleMerchant)))
	srv := httptest.NewServer(r)
	// Streams end with the model; the server then closes without waiting.
	t.Cleanup(srv.Close)
	t.Cleanup(f.model.Close)
	return &api{fixture: f, url: srv.URL, iss: iss}
}

func (a *api) merchantToken(merchant string) string {
	return a.iss.Token(auth.Caller{UserID: "u-" + merchant, Roles: []string{auth.RoleMerchant}, MerchantID: merchant})
}

func (a *api) get(t *testing.T, path, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestSummaryEndpointAnswersForTheCallersMerchantOnly(t *testing.T) {
	a := newAPI(t, newFixture(t, openDB(t), analytics.Options{}))
	order := newOrderID()
	a.handle(t, events.TypeOrderPaid, order, paid(order, time.Now(), lineOf("m-a", "p1", 1999, 1), lineOf("m-b", "p2", 5, 1)))

	resp := a.get(t, "/api/v1/merchant/analytics/summary", a.merchantToken("m-a"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var body map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"merchant_id", "day", "orders_today", "revenue_today", "units_today", "orders_per_minute", "orders_last_hour", "top_products", "latest_orders"} {
		if _, ok := body[key]; !ok {
			t.Errorf("summary has no %q: %v", key, body)
		}
	}
	if string(body["merchant_id"]) != `"m-a"` || string(body["revenue_today"]) != `[{"amount":1999,"currency":"USD"}]` {
		t.Errorf("merchant %s, revenue %s", body["merchant_id"], body["revenue_today"])
	}
	var latest []map[string]any
	if err := json.Unmarshal(body["latest_orders"], &latest); err != nil || len(latest) != 1 || latest[0]["order_id"] != order {
		t.Errorf("latest orders %s (%v)", body["latest_orders"], err)
	}
}

func TestAnalyticsRefusesNonMerchants(t *testing.T) {
	a := newAPI(t, newFixture(t, openDB(t), analytics.Options{}))
	shopper := a.iss.Token(auth.Caller{UserID: "s1", Roles: []string{auth.RoleShopper}})
	for _, path := range []string{"/api/v1/merchant/analytics/summary", "/api/v1/merchant/analytics/stream"} {
		if got := a.get(t, path, "").StatusCode; got != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d", path, got)
		}
		if got := a.get(t, path, shopper).StatusCode; got != http.StatusForbidden {
			t.Errorf("%s as a shopper: %d", path, got)
		}
	}
}

// sseEvent is one Server-Sent Event; a comment has name ":".
type sseEvent struct {
	name string
	data string
}

// openStream connects to the stream and returns its events as they come.
func (a *api) openStream(t *testing.T, token string) <-chan sseEvent {
	t.Helper()
	resp := a.get(t, "/api/v1/merchant/analytics/stream", token)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 100)
	go func() {
		defer close(out)
		r := bufio.NewReader(resp.Body)
		var ev sseEvent
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "":
				out <- ev
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				ev.name = ":"
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

// next returns the next event that is not a heartbeat, within limit.
func next(t *testing.T, events <-chan sseEvent, limit time.Duration) sseEvent {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.name != ":" {
				return ev
			}
		case <-deadline:
			t.Fatalf("no event within %s", limit)
		}
	}
}

func decodeSummary(t *testing.T, ev sseEvent) analytics.Summary {
	t.Helper()
	if ev.name != "summary" {
		t.Fatalf("event %q, want summary", ev.name)
	}
	var s analytics.Summary
	if err := json.Unmarshal([]byte(ev.data), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStreamDeliversASaleWithinASecondToItsMerchantOnly(t *testing.T) {
	// A long refresh: the sale must arrive through the wake-up, not a poll.
	a := newAPI(t, newFixture(t, openDB(t), analytics.Options{RefreshInterval: time.Minute}))
	streamA := a.openStream(t, a.merchantToken("m-a"))
	streamB := a.openStream(t, a.merchantToken("m-b"))
	if s := decodeSummary(t, next(t, streamA, 5*time.Second)); s.OrdersToday != 0 || s.MerchantID != "m-a" {
		t.Fatalf("initial summary %+v", s)
	}
	decodeSummary(t, next(t, streamB, 5*time.Second))

	orderA := newOrderID()
	start := time.Now()
	a.handle(t, events.TypeOrderPaid, orderA, paid(orderA, time.Now(), lineOf("m-a", "p1", 1500, 2)))
	ev := next(t, streamA, time.Second)
	if ev.name != "sale" || !strings.Contains(ev.data, orderA) {
		t.Fatalf("first event after the sale: %+v", ev)
	}
	var sale analytics.Sale
	if err := json.Unmarshal([]byte(ev.data), &sale); err != nil || sale.Total != usd(3000) || sale.Items != 2 {
		t.Fatalf("sale %+v (%v)", sale, err)
	}
	if s := decodeSummary(t, next(t, streamA, time.Second)); s.OrdersToday != 1 || s.RevenueToday[0] != usd(3000) {
		t.Fatalf("summary after the sale: %+v", s)
	}
	t.Logf("sale reached the dashboard stream in %s", time.Since(start))

	// B's next sale event is B's own: A's sale never reached B.
	orderB := newOrderID()
	a.handle(t, events.TypeOrderPaid, orderB, paid(orderB, time.Now(), lineOf("m-b", "p9", 100, 1)))
	if ev := next(t, streamB, time.Second); ev.name != "sale" || !strings.Contains(ev.data, orderB) || strings.Contains(ev.data, orderA) {
		t.Fatalf("merchant B's stream got %+v", ev)
	}
}

// TestStreamSeesSalesRecordedByAnotherInstance: two models on one database
// stand for two orders instances; the sale is handled by the other one.
func TestStreamSeesSalesRecordedByAnotherInstance(t *testing.T) {
	db := openDB(t)
	a := newAPI(t, newFixture(t, db, analytics.Options{RefreshInterval: 200 * time.Millisecond}))
	other := newFixture(t, db, analytics.Options{})
	stream := a.openStream(t, a.merchantToken("m-a"))
	decodeSummary(t, next(t, stream, 5*time.Second))

	order := newOrderID()
	other.handle(t, events.TypeOrderPaid, order, paid(order, time.Now(), lineOf("m-a", "p1", 100, 1)))
	if ev := next(t, stream, time.Second); ev.name != "sale" || !strings.Contains(ev.data, order) {
		t.Fatalf("got %+v", ev)
	}
}

func TestStreamSendsHeartbeatsAndEndsOnClose(t *testing.T) {
	a := newAPI(t, newFixture(t, openDB(t), analytics.Options{HeartbeatInterval: 50 * time.Millisecond, RefreshInterval: 20 * time.Millisecond}))
	stream := a.openStream(t, a.merchantToken("m-a"))
	decodeSummary(t, next(t, stream, 5*time.Second))
	deadline := time.After(2 * time.Second)
	for beat := false; !beat; {
		select {
		case ev := <-stream:
			beat = ev.name == ":"
		case <-deadline:
			t.Fatal("no heartbeat within 2 s (while polling every 20 ms)")
		}
	}
	a.model.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for {
		select {
		case _, ok := <-stream:
			if !ok {
				return // ended
			}
		case <-ctx.Done():
			t.Fatal("the stream did not end after Close")
		}
	}
}
