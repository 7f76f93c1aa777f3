package breaker

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// countingServer answers with the status held in status and counts hits.
type countingServer struct {
	*httptest.Server
	hits   atomic.Int64
	status atomic.Int64
}

func newCountingServer(t *testing.T, status int) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.status.Store(int64(status))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.hits.Add(1)
		w.WriteHeader(int(s.status.Load()))
		_, _ = io.WriteString(w, "body")
	}))
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, tr http.RoundTripper, url string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tr.RoundTrip(req)
	if err == nil {
		t.Cleanup(func() { _ = resp.Body.Close() })
	}
	return resp, err
}

// assertFailsFast checks that an open breaker rejects a call at once, with a
// RetryableError, without reaching the server.
func assertFailsFast(t *testing.T, tr *Transport, url string, hits func() int64) {
	t.Helper()
	before := hits()
	start := time.Now()
	_, err := get(t, tr, url)
	elapsed := time.Since(start)

	var retryable *apperr.RetryableError
	if !errors.As(err, &retryable) || !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("open breaker: got %v, want RetryableError of kind ErrUnavailable", err)
	}
	if retryable.RetryAfter < time.Second {
		t.Errorf("RetryAfter = %s, want at least 1s", retryable.RetryAfter)
	}
	if elapsed > 50*time.Millisecond {
		t.Errorf("open breaker took %s to reject", elapsed)
	}
	if hits() != before {
		t.Errorf("open breaker let a request reach the server")
	}
}

func TestOpensAfterConsecutive5xxAndReturnsThem(t *testing.T) {
	srv := newCountingServer(t, http.StatusInternalServerError)
	reg := prometheus.NewRegistry()
	tr := NewTransport(nil, Options{Name: "catalog", ConsecutiveFailures: 3, OpenFor: time.Minute, Registerer: reg})

	for i := 0; i < 3; i++ {
		resp, err := get(t, tr, srv.URL)
		if err != nil {
			t.Fatalf("call %d: a 5xx must come back as a response, got %v", i, err)
		}
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("call %d: status %d", i, resp.StatusCode)
		}
	}
	if got := tr.State(); got != gobreaker.StateOpen {
		t.Fatalf("state after 3 failures = %s, want open", got)
	}
	assertFailsFast(t, tr, srv.URL, srv.hits.Load)

	if got := metricValue(t, reg, "mercato_breaker_state", "catalog", ""); got != 2 {
		t.Errorf("state gauge = %v, want 2", got)
	}
	if got := metricValue(t, reg, "mercato_breaker_calls_total", "catalog", "failure"); got != 3 {
		t.Errorf("failure count = %v, want 3", got)
	}
	if got := metricValue(t, reg, "mercato_breaker_calls_total", "catalog", "rejected"); got != 1 {
		t.Errorf("rejected count = %v, want 1", got)
	}
}

func TestOpensOnConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens on url any more
	tr := NewTransport(nil, Options{Name: "users", ConsecutiveFailures: 2, OpenFor: time.Minute})

	for i := 0; i < 2; i++ {
		if _, err := get(t, tr, url); err == nil {
			t.Fatalf("call %d to a closed port succeeded", i)
		}
	}
	if got := tr.State(); got != gobreaker.StateOpen {
		t.Fatalf("state = %s, want open", got)
	}
	assertFailsFast(t, tr, url, func() int64 { return 0 })
}

func TestOpensOnSlowUpstream(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-r.Context().Done() // never answers; returns once the client gives up
	}))
	t.Cleanup(srv.Close)
	tr := NewTransport(nil, Options{Name: "orders", Timeout: 50 * time.Millisecond, ConsecutiveFailures: 2, OpenFor: time.Minute})

	for i := 0; i < 2; i++ {
		start := time.Now()
		_, err := get(t, tr, srv.URL)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("call %d: got %v, want a deadline error", i, err)
		}
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Fatalf("call %d took %s despite the 50ms timeout", i, elapsed)
		}
	}
	if got := tr.State(); got != gobreaker.StateOpen {
		t.Fatalf("state = %s, want open", got)
	}
	assertFailsFast(t, tr, srv.URL, hits.Load)
}

func TestClientErrorsDoNotOpen(t *testing.T) {
	srv := newCountingServer(t, http.StatusNotFound)
	tr := NewTransport(nil, Options{Name: "catalog", ConsecutiveFailures: 2})

	for i := 0; i < 10; i++ {
		resp, err := get(t, tr, srv.URL)
		if err != nil || resp.StatusCode != http.StatusNotFound {
			t.Fatalf("call %d: %v %v", i, resp, err)
		}
	}
	if got := tr.State(); got != gobreaker.StateClosed {
		t.Errorf("state after ten 404s = %s, want closed", got)
	}
	if got := srv.hits.Load(); got != 10 {
		t.Errorf("server saw %d requests, want 10", got)
	}
}

func TestHalfOpensAfterOpenForAndClosesOnSuccess(t *testing.T) {
	srv := newCountingServer(t, http.StatusServiceUnavailable)
	reg := prometheus.NewRegistry()
	tr := NewTransport(nil, Options{Name: "payments", ConsecutiveFailures: 1, OpenFor: 200 * time.Millisecond, Registerer: reg})

	if _, err := get(t, tr, srv.URL); err != nil {
		t.Fatal(err)
	}
	if got := tr.State(); got != gobreaker.StateOpen {
		t.Fatalf("state = %s, want open", got)
	}
	srv.status.Store(http.StatusOK) // the upstream recovers

	waitForState(t, tr, gobreaker.StateHalfOpen, 2*time.Second)
	if got := metricValue(t, reg, "mercato_breaker_state", "payments", ""); got != 1 {
		t.Errorf("state gauge = %v, want 1 (half-open)", got)
	}
	resp, err := get(t, tr, srv.URL)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("trial call: %v %v", resp, err)
	}
	if got := tr.State(); got != gobreaker.StateClosed {
		t.Errorf("state after a successful trial = %s, want closed", got)
	}
	if got := metricValue(t, reg, "mercato_breaker_state", "payments", ""); got != 0 {
		t.Errorf("state gauge = %v, want 0 (closed)", got)
	}
}

func TestCallerCancellationIsNotAFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	tr := NewTransport(nil, Options{Name: "catalog", ConsecutiveFailures: 1, Timeout: time.Minute})

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	cancel()
	if _, err := tr.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if got := tr.State(); got != gobreaker.StateClosed {
		t.Errorf("state = %s after the caller gave up, want closed", got)
	}
}

// TestDeadlineBoundsHeadersOnly streams a body for longer than the timeout:
// the headers arrive in time, so the body must not be cut off.
func TestDeadlineBoundsHeadersOnly(t *testing.T) {
	const timeout = 50 * time.Millisecond
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "first;")
		w.(http.Flusher).Flush()
		<-release
		_, _ = io.WriteString(w, "last")
	}))
	t.Cleanup(srv.Close)
	tr := NewTransport(nil, Options{Name: "orders", Timeout: timeout})

	resp, err := get(t, tr, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len("first;"))
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	// Let the headers deadline pass well before the stream goes on: the
	// elapsed time is what this test is about, not a synchronisation.
	<-time.After(4 * timeout)
	close(release)
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("stream cut off after the headers deadline: %v", err)
	}
	if string(first)+string(rest) != "first;last" {
		t.Errorf("body = %q", string(first)+string(rest))
	}
}

func waitForState(t *testing.T, tr *Transport, want gobreaker.State, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for tr.State() != want {
		if time.Now().After(deadline) {
			t.Fatalf("state still %s after %s, want %s", tr.State(), within, want)
		}
		<-time.After(10 * time.Millisecond)
	}
}

// metricValue reads one sample (gauge or counter) with the given labels;
// result "" means the metric has no result label.
func metricValue(t *testing.T, reg *prometheus.Registry, metric, name, result string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != metric {
			continue
		}
	samples:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if (l.GetName() == "name" && l.GetValue() != name) || (l.GetName() == "result" && l.GetValue() != result) {
					continue samples
				}
			}
			if m.GetGauge() != nil {
				return m.GetGauge().GetValue()
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no sample of %s{name=%q,result=%q}", metric, name, result)
	return 0
}

// An upstream that answers a deliberate 503 problem (its own dependency is
// down) is alive: counting those would cut off its other routes too.
func TestDependency503ProblemDoesNotOpenButPlain503Does(t *testing.T) {
	for _, tc := range []struct {
		contentType string
		wantState   gobreaker.State
	}{
		{"application/problem+json", gobreaker.StateClosed},
		{"application/problem+json; charset=utf-8", gobreaker.StateClosed},
		{"text/plain", gobreaker.StateOpen},
		{"", gobreaker.StateOpen},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if tc.contentType != "" {
				w.Header().Set("Content-Type", tc.contentType)
			}
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		tr := NewTransport(nil, Options{Name: "orders", ConsecutiveFailures: 2})
		for i := 0; i < 3; i++ {
			if resp, err := get(t, tr, srv.URL); err == nil {
				resp.Body.Close()
			}
		}
		if got := tr.State(); got != tc.wantState {
			t.Errorf("Content-Type %q: state after three 503s = %s, want %s", tc.contentType, got, tc.wantState)
		}
		srv.Close()
	}
}
