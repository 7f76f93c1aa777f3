package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// dashboard is the part of GET /api/v1/merchant/analytics/dashboard the
// tests compare.
type dashboard struct {
	MerchantID  string `json:"merchant_id"`
	OrdersToday int64  `json:"orders_today"`
	Today       struct {
		Orders    int64   `json:"orders"`
		Views     int64   `json:"views"`
		Carts     int64   `json:"carts"`
		Checkouts int64   `json:"checkouts"`
		Revenue   []money `json:"revenue"`
	} `json:"today"`
	Series []struct {
		Minute  time.Time `json:"minute"`
		Orders  int64     `json:"orders"`
		Revenue int64     `json:"revenue"`
		Views   int64     `json:"views"`
	} `json:"series"`
	Funnel []struct {
		Step  string `json:"step"`
		Count int64  `json:"count"`
	} `json:"funnel"`
}

// sum adds up the series' figures.
func (d dashboard) sum() (orders, revenue, views int64) {
	for _, p := range d.Series {
		orders += p.Orders
		revenue += p.Revenue
		views += p.Views
	}
	return
}

func (a *api) dashboard(m user) dashboard {
	a.t.Helper()
	var d dashboard
	a.must(http.StatusOK, &d, http.MethodGet, "/api/v1/merchant/analytics/dashboard", m.Token, nil)
	return d
}

// sendEvents posts one batch of behaviour events from session.
func (a *api) sendEvents(session string, evs ...map[string]any) response {
	return a.do(http.MethodPost, "/api/v1/events", "", map[string]any{"session_id": session, "events": evs})
}

func viewOf(p product) map[string]any {
	return map[string]any{"type": "product_viewed", "merchant_id": p.MerchantID, "product_id": p.ID}
}

// TestFunnelAndSeriesCountExactlyAndSurviveARedelivery: views, carts and a
// purchase made through the public API appear with exact counts; then the
// analytics consumer groups are rewound to the start of every topic and
// no figure changes.
func TestFunnelAndSeriesCountExactlyAndSurviveARedelivery(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Lantern "), 2500, 50)
	s := a.shopper()
	session := unique("sess-")
	for range 3 {
		if r := a.sendEvents(session, viewOf(p), viewOf(p)); r.status != http.StatusAccepted {
			t.Fatalf("events: %s", r)
		}
	}
	cart := map[string]any{"type": "added_to_cart", "merchant_id": m.MerchantID, "product_id": p.ID, "quantity": 2}
	checkout := map[string]any{"type": "checkout_started", "merchant_id": m.MerchantID}
	if r := a.sendEvents(session, cart, checkout); r.status != http.StatusAccepted {
		t.Fatalf("events: %s", r)
	}
	a.addToCart(s, p.ID, 2)
	o := a.checkout(s, unique("key"), "pm_card_visa")
	a.waitStatus(s, o.ID, "paid", "", 30*time.Second)

	want := "6 views, 1 cart, 1 checkout, 1 order of 50.00"
	check := func(d dashboard) (bool, string) {
		orders, revenue, views := d.sum()
		got := fmt.Sprintf("%d views, %d cart, %d checkout, %d order of %d.%02d (series: %d orders, %d revenue, %d views; funnel %+v)",
			d.Today.Views, d.Today.Carts, d.Today.Checkouts, d.Today.Orders, revenueOf(d)/100, revenueOf(d)%100, orders, revenue, views, d.Funnel)
		ok := d.Today.Views == 6 && d.Today.Carts == 1 && d.Today.Checkouts == 1 && d.Today.Orders == 1 && revenueOf(d) == 5000 &&
			orders == 1 && revenue == 5000 && views == 6 && len(d.Funnel) == 4 && d.Funnel[3].Count == 1
		return ok, got
	}
	eventually(t, 20*time.Second, want, func() (bool, string) { return check(a.dashboard(m)) })

	rewindAnalytics(t)
	// The rewound consumers read everything again; a marker sent after the
	// rewind shows they are through (one partition owner per merchant, in
	// order), and the figures must not have moved.
	marker := map[string]any{"type": "search", "merchant_id": m.MerchantID, "query": unique("marker"), "results": 0}
	if r := a.sendEvents(unique("sess-"), marker); r.status != http.StatusAccepted {
		t.Fatalf("marker: %s", r)
	}
	eventually(t, 90*time.Second, "the marker after the redelivery", func() (bool, string) {
		var d struct {
			Today struct {
				ZeroSearches int64 `json:"zero_result_searches"`
			} `json:"today"`
		}
		a.must(http.StatusOK, &d, http.MethodGet, "/api/v1/merchant/analytics/dashboard", m.Token, nil)
		return d.Today.ZeroSearches == 1, fmt.Sprintf("%d zero-result searches", d.Today.ZeroSearches)
	})
	if ok, got := check(a.dashboard(m)); !ok {
		t.Fatalf("after redelivering every event: %s; want %s", got, want)
	}
}

func revenueOf(d dashboard) int64 {
	for _, r := range d.Today.Revenue {
		if r.Currency == currency {
			return r.Amount
		}
	}
	return 0
}

// rewindAnalytics sets the committed offsets of both analytics consumer
// groups back to the start of their topics. Kafka only takes a commit from
// outside for an empty group, so analytics is frozen (SIGSTOP) until the
// broker has dropped its members, rewound, and let go again (SIGCONT): it
// then rejoins and reads everything again.
func rewindAnalytics(t *testing.T) {
	t.Helper()
	st := suite(t)
	status, ok := st.Supervisor().StatusOf("analytics")
	if !ok || status.PID == 0 {
		t.Fatalf("analytics is not running: %+v", status)
	}
	if err := syscall.Kill(status.PID, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(status.PID, syscall.SIGCONT) }()
	client := &kafkago.Client{Addr: kafkago.TCP(st.KafkaAddr()), Timeout: 10 * time.Second}
	groups := map[string][]string{
		"analytics":        {"orders.events", "payments.events"},
		"analytics-ingest": {"analytics.ingest"},
	}
	for group, topics := range groups {
		commits := map[string][]kafkago.OffsetCommit{}
		for _, topic := range topics {
			meta, err := client.Metadata(context.Background(), &kafkago.MetadataRequest{Topics: []string{topic}})
			if err != nil || len(meta.Topics) != 1 {
				t.Fatalf("metadata of %s: %v", topic, err)
			}
			for _, part := range meta.Topics[0].Partitions {
				commits[topic] = append(commits[topic], kafkago.OffsetCommit{Partition: part.ID, Offset: 0})
			}
		}
		eventually(t, 30*time.Second, "rewind of group "+group, func() (bool, string) {
			resp, err := client.OffsetCommit(context.Background(), &kafkago.OffsetCommitRequest{GroupID: group, GenerationID: -1, Topics: commits})
			if err != nil {
				return false, err.Error()
			}
			for topic, parts := range resp.Topics {
				for _, p := range parts {
					if p.Error != nil {
						return false, fmt.Sprintf("%s/%d: %v", topic, p.Partition, p.Error)
					}
				}
			}
			return true, ""
		})
	}
}

// TestAnalyticsKilledInABurstLosesNoEventAndCountsNoneTwice sends 1,000
// views in batches while analytics is SIGKILLed; the supervisor restarts
// it and the count is exact.
func TestAnalyticsKilledInABurstLosesNoEventAndCountsNoneTwice(t *testing.T) {
	a := newAPI(t)
	st := suite(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Kite "), 1000, 10)
	victim, _ := st.Supervisor().StatusOf("analytics")
	batch := make([]map[string]any, 50)
	for i := range batch {
		batch[i] = viewOf(p)
	}
	var wg sync.WaitGroup
	send := func(from, to int) {
		for i := from; i < to; i++ {
			wg.Go(func() {
				if r := a.sendEvents(unique("sess-"), batch...); r.status != http.StatusAccepted {
					t.Errorf("batch %d: %s", i, r)
				}
			})
		}
	}
	// The kill lands once analytics has started counting the burst.
	send(0, 8)
	eventually(t, 20*time.Second, "the first views counted", func() (bool, string) {
		d := a.dashboard(m)
		return d.Today.Views > 0, fmt.Sprintf("%d views", d.Today.Views)
	})
	if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	send(8, 20)
	wg.Wait()
	eventually(t, 60*time.Second, "1,000 views counted once", func() (bool, string) {
		var d dashboard
		r, err := a.call(http.MethodGet, "/api/v1/merchant/analytics/dashboard", m.Token, nil)
		if err != nil || r.status != http.StatusOK {
			return false, fmt.Sprintf("%v %v", r, err)
		}
		if err := json.Unmarshal(r.body, &d); err != nil {
			return false, err.Error()
		}
		if d.Today.Views > 1000 {
			t.Fatalf("%d views counted for 1,000 sent", d.Today.Views)
		}
		return d.Today.Views == 1000, fmt.Sprintf("%d views", d.Today.Views)
	})
	if now, _ := st.Supervisor().StatusOf("analytics"); now.PID == victim.PID {
		t.Fatalf("analytics was not restarted: %+v", now)
	}
}

// TestIngestionRefusesBadInputAndMerchantsSeeOnlyTheirOwn runs the bad
// inputs through the gateway and checks every analytics endpoint for
// another merchant's figures.
func TestIngestionRefusesBadInputAndMerchantsSeeOnlyTheirOwn(t *testing.T) {
	a := newAPI(t)
	m, other := a.merchant(), a.merchant()
	p := a.createProduct(m, unique("Bell "), 900, 5)
	session := unique("sess-")
	bad := []struct {
		name   string
		events []map[string]any
		status int
	}{
		{"unknown type", []map[string]any{{"type": "teleported", "merchant_id": m.MerchantID}}, http.StatusBadRequest},
		{"future time", []map[string]any{{"type": "product_viewed", "merchant_id": m.MerchantID, "product_id": p.ID, "time": time.Now().Add(time.Hour)}}, http.StatusBadRequest},
		{"oversized batch", func() []map[string]any {
			out := make([]map[string]any, 101)
			for i := range out {
				out[i] = viewOf(p)
			}
			return out
		}(), http.StatusRequestEntityTooLarge},
	}
	for _, b := range bad {
		if r := a.sendEvents(session, b.events...); r.status != b.status || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %s (%s), want %d problem+json", b.name, r, r.header.Get("Content-Type"), b.status)
		}
	}
	if r := a.do(http.MethodPost, "/api/v1/events", "", []int{1, 2}); r.status != http.StatusBadRequest {
		t.Errorf("a batch of the wrong shape: %s", r)
	}
	throttled := false
	for range 100 {
		if r := a.sendEvents(session, viewOf(p)); r.status == http.StatusTooManyRequests {
			throttled = true
			break
		}
	}
	if !throttled {
		t.Error("100 quick batches from one session were never throttled")
	}
	eventually(t, 20*time.Second, "the accepted views", func() (bool, string) {
		d := a.dashboard(m)
		return d.Today.Views > 0 && d.Today.Views < 100, fmt.Sprintf("%d views", d.Today.Views)
	})
	for _, path := range []string{
		"/api/v1/merchant/analytics/dashboard?merchant_id=" + m.MerchantID,
		"/api/v1/merchant/analytics/summary?merchant_id=" + m.MerchantID,
	} {
		var d dashboard
		a.must(http.StatusOK, &d, http.MethodGet, path, other.Token, nil)
		if d.MerchantID != other.MerchantID || d.Today.Views != 0 || d.OrdersToday != 0 {
			t.Errorf("%s as another merchant: %+v", path, d)
		}
	}
	r := a.do(http.MethodGet, "/api/v1/merchant/reports/sales?format=json&merchant_id="+m.MerchantID, other.Token, nil)
	if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(other.MerchantID)) || bytes.Contains(r.body, []byte(m.MerchantID)) {
		t.Errorf("another merchant's report: %s", r)
	}
}
