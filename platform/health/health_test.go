package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func get(t *testing.T, h http.HandlerFunc) (int, Report) {
	t.Helper()
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	var report Report
	if err := json.Unmarshal(rec.Body.Bytes(), &report); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	return rec.Code, report
}

func ok(context.Context) error { return nil }

func TestLiveAlwaysOK(t *testing.T) {
	c := NewChecker(0, Check{Name: "mongo", Probe: func(context.Context) error { return errors.New("down") }})
	c.SetDraining(true)
	code, report := get(t, c.LiveHandler)
	if code != http.StatusOK || report.Status != "ok" {
		t.Fatalf("healthz = %d %+v, want 200 ok", code, report)
	}
}

func TestReadyAllPass(t *testing.T) {
	c := NewChecker(0, Check{Name: "mongo", Probe: ok}, Check{Name: "kafka", Probe: ok})
	code, report := get(t, c.ReadyHandler)
	if code != http.StatusOK || report.Status != "ready" || report.Checks["mongo"] != "ok" || report.Checks["kafka"] != "ok" {
		t.Fatalf("readyz = %d %+v", code, report)
	}
}

func TestReadyReportsFailingCheck(t *testing.T) {
	c := NewChecker(0, Check{Name: "mongo", Probe: ok}, Check{Name: "kafka", Probe: func(context.Context) error {
		return errors.New("dial tcp 127.0.0.1:9092: connect: connection refused")
	}})
	code, report := get(t, c.ReadyHandler)
	if code != http.StatusServiceUnavailable || report.Status != "unready" {
		t.Fatalf("readyz = %d %+v, want 503 unready", code, report)
	}
	if report.Checks["mongo"] != "ok" || !strings.Contains(report.Checks["kafka"], "connection refused") {
		t.Errorf("checks = %v", report.Checks)
	}
}

func TestReadyTimesOutAHangingCheckAndRunsChecksConcurrently(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var started atomic.Int32
	hang := func(context.Context) error { started.Add(1); <-release; return nil } // ignores ctx
	slowButHonest := func(ctx context.Context) error { started.Add(1); <-ctx.Done(); return ctx.Err() }
	timeout := 100 * time.Millisecond
	c := NewChecker(timeout, Check{Name: "a", Probe: hang}, Check{Name: "b", Probe: slowButHonest}, Check{Name: "c", Probe: ok})

	begin := time.Now()
	code, report := get(t, c.ReadyHandler)
	elapsed := time.Since(begin)

	if code != http.StatusServiceUnavailable || report.Checks["c"] != "ok" {
		t.Fatalf("readyz = %d %+v", code, report)
	}
	for _, name := range []string{"a", "b"} {
		if !strings.Contains(report.Checks[name], "deadline exceeded") {
			t.Errorf("check %s = %q, want a timeout", name, report.Checks[name])
		}
	}
	// Sequential checks would take at least 2 timeouts.
	if elapsed >= 2*timeout {
		t.Errorf("readiness took %s; checks did not run concurrently", elapsed)
	}
	if started.Load() != 2 {
		t.Errorf("%d slow checks started, want 2", started.Load())
	}
}

func TestReadyRecoversPanickingCheck(t *testing.T) {
	c := NewChecker(0, Check{Name: "boom", Probe: func(context.Context) error { panic("nil map") }})
	code, report := get(t, c.ReadyHandler)
	if code != http.StatusServiceUnavailable || !strings.Contains(report.Checks["boom"], "panicked") {
		t.Fatalf("readyz = %d %+v", code, report)
	}
}

func TestDrainingIsUnready(t *testing.T) {
	c := NewChecker(0, Check{Name: "mongo", Probe: ok})
	c.SetDraining(true)
	code, report := get(t, c.ReadyHandler)
	if code != http.StatusServiceUnavailable || report.Status != "draining" {
		t.Fatalf("readyz while draining = %d %+v, want 503 draining", code, report)
	}
	c.SetDraining(false)
	if code, _ := get(t, c.ReadyHandler); code != http.StatusOK {
		t.Fatalf("readyz after draining = %d, want 200", code)
	}
}

func TestAddRegistersCheck(t *testing.T) {
	c := NewChecker(0)
	c.Add(Check{Name: "late", Probe: func(context.Context) error { return errors.New("not yet") }})
	code, report := get(t, c.ReadyHandler)
	if code != http.StatusServiceUnavailable || report.Checks["late"] != "not yet" {
		t.Fatalf("readyz = %d %+v", code, report)
	}
}

func TestInformationalCheckIsReportedButDoesNotGateReadiness(t *testing.T) {
	c := NewChecker(time.Second,
		Check{Name: "self", Probe: func(context.Context) error { return nil }},
		Check{Name: "upstream", Informational: true, Probe: func(context.Context) error { return errors.New("down") }},
	)
	ready, report := c.Ready(context.Background())
	if !ready || report.Status != StatusReady {
		t.Fatalf("ready = %v, report = %+v; an informational failure must not gate readiness", ready, report)
	}
	if report.Checks["upstream"] != "down" {
		t.Fatalf("upstream check not reported: %+v", report.Checks)
	}
}
