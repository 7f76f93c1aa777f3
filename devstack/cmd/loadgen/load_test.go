package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeShop is a gateway that takes carts and checkouts and settles every
// order paid exactly settleAfter after it was created (by its updated_at),
// once that time has passed. Its first checkout is refused with 429.
type fakeShop struct {
	settleAfter time.Duration

	mu       sync.Mutex
	orders   map[string]time.Time // id → created_at
	refused  bool
	statuses int
}

func newFakeShop(t *testing.T, settleAfter time.Duration) (*fakeShop, *httptest.Server) {
	f := &fakeShop{settleAfter: settleAfter, orders: map[string]time.Time{}}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /api/v1/cart/items/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST /api/v1/checkout", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.refused {
			f.refused = true
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"status":429,"code":"rate_limited"}`))
			return
		}
		id := r.Header.Get("Idempotency-Key")
		created := time.Now().UTC().Truncate(time.Millisecond)
		f.orders[id] = created
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(order{ID: id, Status: "pending", CreatedAt: created, UpdatedAt: created})
	})
	mux.HandleFunc("GET /api/v1/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.statuses++
		created, ok := f.orders[r.PathValue("id")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		o := order{ID: r.PathValue("id"), Status: "pending", CreatedAt: created, UpdatedAt: created}
		if paidAt := created.Add(f.settleAfter); !time.Now().Before(paidAt) {
			o.Status, o.UpdatedAt = "paid", paidAt
		}
		_ = json.NewEncoder(w).Encode(o)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

func runFake(t *testing.T, mode string, settleAfter time.Duration) (summary, *fakeShop) {
	t.Helper()
	f, srv := newFakeShop(t, settleAfter)
	cfg := loadConfig{mode: mode, duration: 400 * time.Millisecond, concurrency: 3, trackers: 2, pollInterval: 5 * time.Millisecond,
		trackPoll: 10 * time.Millisecond, trackRate: 500, orderTimeout: 5 * time.Second, drainTimeout: 10 * time.Second,
		products: []string{"p1", "p2"}, shoppers: []string{"s1", "s2", "s3"}}
	rec := newRecorder(time.Now())
	res := runLoad(context.Background(), newAPI(srv.URL, 4), cfg, rec)
	return summarize(res, runInfo{cfg: config{mode: mode, duration: cfg.duration, drainTimeout: cfg.drainTimeout}}), f
}

func TestJourneyModeWaitsForEveryOrder(t *testing.T) {
	s, f := runFake(t, modeJourney, 30*time.Millisecond)
	if s.paid == 0 || s.paid != s.accepted || s.paid != len(f.orders) {
		t.Fatalf("paid %d of %d accepted, shop has %d orders: want all paid", s.paid, s.accepted, len(f.orders))
	}
	if s.settle.p50 != 30*time.Millisecond || s.settle.max != 30*time.Millisecond {
		t.Errorf("placed→paid %v, want exactly the server's 30ms", s.settle)
	}
	if !s.drained || s.drain > time.Second {
		t.Errorf("drained %v in %s, want at once", s.drained, s.drain)
	}
	if e := s.errors["checkout 429 rate_limited"]; e.count != 1 || !strings.Contains(e.example, "429") {
		t.Errorf("errors %v, want the one 429", s.errors)
	}
}

func TestStreamModeLeavesOrdersToTheTracker(t *testing.T) {
	// Orders settle 300 ms after creation: most are still pending when
	// the stream stops, so the drain is the tracker's work.
	s, f := runFake(t, modeStream, 300*time.Millisecond)
	if s.accepted != len(f.orders) || s.paid != s.accepted || !s.drained {
		t.Fatalf("paid %d of %d accepted (shop %d), drained %v", s.paid, s.accepted, len(f.orders), s.drained)
	}
	if s.backlogAtStop == 0 || s.drain < 100*time.Millisecond || s.drain > 2*time.Second {
		t.Errorf("backlog at stop %d, drain %s: want orders outstanding and a drain of about 300ms", s.backlogAtStop, s.drain)
	}
	if s.settle.p50 != 300*time.Millisecond {
		t.Errorf("placed→paid %v, want the server's 300ms whatever the polling", s.settle)
	}
	// One read per checkout by the worker, then the tracker's.
	if s.steps[stepStatus].n <= s.accepted {
		t.Errorf("%d status reads for %d orders: the tracker read none", s.steps[stepStatus].n, s.accepted)
	}
	if got := fmt.Sprint(s.byFinal); got != fmt.Sprintf("map[paid:%d]", s.accepted) {
		t.Errorf("finals %s", got)
	}
}
