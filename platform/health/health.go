// Package health serves a service's liveness (/healthz) and readiness
// (/readyz) probes.
//
// Liveness answers 200 while the process serves. Readiness runs every check
// (the store, the broker) concurrently, each under its own timeout, and
// answers 503 when one fails or while the server drains on shutdown.
package health

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds each readiness check when none is configured.
const DefaultTimeout = 2 * time.Second

// Check is one readiness dependency, such as "mongo" or "kafka". Probe
// returns nil when the dependency is reachable; it should honour ctx.
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
	// Informational checks are reported in /readyz but do not make the
	// service unready: the gateway reports each upstream this way, so one
	// service being down does not take the whole gateway out of rotation.
	Informational bool
}

// Report is the body of a probe answer. Checks maps each check name to "ok"
// or its error text.
type Report struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// Readiness status values.
const (
	StatusOK       = "ok"
	StatusReady    = "ready"
	StatusUnready  = "unready"
	StatusDraining = "draining"
)

// Checker runs readiness checks and knows whether the server is draining.
// It is safe for concurrent use.
type Checker struct {
	timeout  time.Duration
	draining atomic.Bool

	mu     sync.RWMutex
	checks []Check
}

// NewChecker returns a Checker running checks, each bounded by timeout
// (DefaultTimeout when zero or negative).
func NewChecker(timeout time.Duration, checks ...Check) *Checker {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Checker{timeout: timeout, checks: append([]Check(nil), checks...)}
}

// Add registers more checks, for dependencies built after the server.
func (c *Checker) Add(checks ...Check) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checks = append(c.checks, checks...)
}

// SetDraining marks the server as shutting down (true): readiness then
// answers 503 whatever the checks say, so load balancers stop routing here.
func (c *Checker) SetDraining(draining bool) { c.draining.Store(draining) }

// Draining reports whether SetDraining(true) is in effect.
func (c *Checker) Draining() bool { return c.draining.Load() }

// Ready runs every check concurrently and reports whether all passed.
func (c *Checker) Ready(ctx context.Context) (bool, Report) {
	if c.Draining() {
		return false, Report{Status: StatusDraining}
	}
	c.mu.RLock()
	checks := append([]Check(nil), c.checks...)
	c.mu.RUnlock()

	results := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, check := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.run(ctx, check)
		}()
	}
	wg.Wait()

	report := Report{Status: StatusReady, Checks: make(map[string]string, len(checks))}
	for i, check := range checks {
		report.Checks[check.Name] = StatusOK
		if results[i] != nil {
			report.Checks[check.Name] = results[i].Error()
			if !check.Informational {
				report.Status = StatusUnready
			}
		}
	}
	return report.Status == StatusReady, report
}

// run calls one probe under the timeout; a probe that ignores its context
// is abandoned (it finishes in the background) rather than awaited.
func (c *Checker) run(ctx context.Context, check Check) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("check panicked: %v", r)
			}
		}()
		done <- check.Probe(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer within %s: %w", c.timeout, ctx.Err())
	}
}

// LiveHandler answers 200 {"status":"ok"}: the process is serving.
func (c *Checker) LiveHandler(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, Report{Status: StatusOK})
}

// ReadyHandler answers 200 {"status":"ready","checks":{...}} when every
// check passes and 503 with the failing checks' errors otherwise, or
// {"status":"draining"} during shutdown.
func (c *Checker) ReadyHandler(w http.ResponseWriter, r *http.Request) {
	ready, report := c.Ready(r.Context())
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, report)
}

func writeJSON(w http.ResponseWriter, status int, body Report) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
