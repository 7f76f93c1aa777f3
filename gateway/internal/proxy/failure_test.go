package proxy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/health"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

func TestOpenBreakerAnswers503FastThenTrafficFlowsAfterRecovery(t *testing.T) {
	tg := newTestGateway(t, breaker.Options{ConsecutiveFailures: 2, OpenFor: 200 * time.Millisecond}, nil)
	catalog := tg.upstreams[Catalog]
	catalog.status.Store(http.StatusInternalServerError)

	for i := 0; i < 2; i++ {
		resp, _ := tg.do(t, http.MethodGet, "/api/v1/products", nil)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("call %d: status %d, want the upstream's own 500", i, resp.StatusCode)
		}
	}
	hitsWhenOpened := catalog.hits.Load()

	start := time.Now()
	resp, body := tg.do(t, http.MethodGet, "/api/v1/products/p1", nil)
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("open breaker: status %d, want 503: %s", resp.StatusCode, body)
	}
	if p := decodeProblem(t, resp, body); p.Code != httpserver.CodeUpstreamUnavailable || p.RequestID == "" {
		t.Errorf("open breaker problem = %+v, want code upstream_unavailable and a request id", p)
	}
	if seconds, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || seconds < 1 {
		t.Errorf("Retry-After = %q, want a positive number of seconds", resp.Header.Get("Retry-After"))
	}
	if elapsed > 50*time.Millisecond {
		t.Errorf("open breaker took %s to answer", elapsed)
	}
	if catalog.hits.Load() != hitsWhenOpened {
		t.Errorf("open breaker let a request reach the upstream")
	}
	if got := tg.BreakerStates()[Catalog]; got != "open" {
		t.Errorf("catalog breaker %s, want open", got)
	}
	if resp, _ := tg.do(t, http.MethodGet, "/api/v1/cart", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("orders answered %d while only catalog's breaker is open", resp.StatusCode)
	}

	catalog.status.Store(0) // the upstream recovers
	eventually(t, 3*time.Second, "traffic flows again after half-open", func() bool {
		resp, _ := tg.do(t, http.MethodGet, "/api/v1/products", nil)
		return resp.StatusCode == http.StatusOK
	})
	if got := tg.BreakerStates()[Catalog]; got != "closed" {
		t.Errorf("catalog breaker %s after a successful trial, want closed", got)
	}
}

func TestUnreachableUpstreamIs503WithRetryAfter(t *testing.T) {
	tg := newTestGateway(t, breaker.Options{}, map[string]string{Payments: closedURL(t)})
	resp, body := tg.do(t, http.MethodGet, "/api/v1/payments/o1", nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", resp.StatusCode, body)
	}
	p := decodeProblem(t, resp, body)
	if p.Code != httpserver.CodeUpstreamUnavailable || !strings.Contains(p.Detail, Payments) {
		t.Errorf("problem = %+v, want upstream_unavailable naming payments", p)
	}
	if ra := resp.Header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After = %q, want 1", ra)
	}
}

func TestSlowUpstreamIs504(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(slow.Close)
	tg := newTestGateway(t, breaker.Options{Timeout: 100 * time.Millisecond}, map[string]string{Orders: slow.URL})

	start := time.Now()
	resp, body := tg.do(t, http.MethodGet, "/api/v1/orders", nil)
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504: %s", resp.StatusCode, body)
	}
	if p := decodeProblem(t, resp, body); p.Code != CodeUpstreamTimeout {
		t.Errorf("code %q, want %s", p.Code, CodeUpstreamTimeout)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %s despite the 100ms timeout", elapsed)
	}
}

func TestReadinessReportsEachUpstream(t *testing.T) {
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(notReady.Close)
	tg := newTestGateway(t, breaker.Options{ConsecutiveFailures: 1}, map[string]string{
		Catalog: notReady.URL,
		Orders:  closedURL(t),
	})

	checker := health.NewChecker(2*time.Second, tg.Checks()...)
	for i := 0; i < 3; i++ { // probes must not trip the breakers
		ready, report := checker.Ready(context.Background())
		// Upstream checks are informational: one service down must not take
		// the gateway out of rotation, but /readyz names it.
		if !ready || report.Status != health.StatusReady {
			t.Fatalf("gateway unready because upstreams are down: %+v", report)
		}
		if report.Checks[Users] != health.StatusOK || report.Checks[Payments] != health.StatusOK {
			t.Errorf("healthy upstreams reported %+v", report.Checks)
		}
		if !strings.Contains(report.Checks[Catalog], "503") {
			t.Errorf("catalog check = %q, want its 503", report.Checks[Catalog])
		}
		if !strings.Contains(report.Checks[Orders], "unreachable") {
			t.Errorf("orders check = %q, want unreachable", report.Checks[Orders])
		}
	}
	for name, state := range tg.BreakerStates() {
		if state != "closed" {
			t.Errorf("breaker %s is %s after readiness probes only", name, state)
		}
	}
}
