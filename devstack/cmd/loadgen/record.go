package main

import (
	"context"
	"errors"
	"sync"
	"time"
)

// The steps whose latency loadgen records, one sample per API call.
const (
	stepCart     = "cart"     // PUT /api/v1/cart/items/{id}
	stepCheckout = "checkout" // POST /api/v1/checkout
	stepStatus   = "status"   // GET /api/v1/orders/{id}
)

// steps in report order.
var steps = []string{stepCart, stepCheckout, stepStatus}

// callSample is one API call: when it ended (since the run's start), how
// long it took and, when it failed, the kind of error (see errorKind).
type callSample struct {
	at      time.Duration
	step    string
	latency time.Duration
	errKind string
}

// orderSample is one accepted order: when checkout answered (since the
// run's start) and, once seen terminal, its status, when it got there and
// how long placed→terminal took.
type orderSample struct {
	id       string
	placedAt time.Duration
	// final is "" while the order is not terminal, else its status
	// ("paid", "cancelled:<reason>", ...).
	final string
	// doneAt is when the order became terminal, from its updated_at (the
	// server's clock) when known, else when loadgen saw it.
	doneAt time.Duration
	// settle is placed→terminal: updated_at − created_at when the server
	// gave both, else from the checkout answer until loadgen saw it.
	settle time.Duration
	// seenAt is when loadgen saw the order terminal.
	seenAt time.Duration
}

// errorSample is the first message of an error kind.
type errorSample struct {
	count   int
	example string
}

// recorder collects a run's samples; it is safe for concurrent use.
type recorder struct {
	start time.Time

	mu     sync.Mutex
	calls  []callSample
	orders []orderSample
	byID   map[string]int
	errors map[string]*errorSample
}

func newRecorder(start time.Time) *recorder {
	return &recorder{start: start, byID: map[string]int{}, errors: map[string]*errorSample{}}
}

// since is t as an offset from the run's start.
func (r *recorder) since(t time.Time) time.Duration { return t.Sub(r.start) }

// call records one API call that ended at end.
func (r *recorder) call(step string, end time.Time, latency time.Duration, err error) {
	if errors.Is(err, context.Canceled) {
		return // the run was interrupted: not the suite's failure
	}
	s := callSample{at: r.since(end), step: step, latency: latency}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		s.errKind = step + " " + errorKind(err)
		e := r.errors[s.errKind]
		if e == nil {
			e = &errorSample{example: err.Error()}
			r.errors[s.errKind] = e
		}
		e.count++
	}
	r.calls = append(r.calls, s)
}

// placed records an order accepted by checkout at at.
func (r *recorder) placed(id string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byID[id]; ok {
		return
	}
	r.byID[id] = len(r.orders)
	r.orders = append(r.orders, orderSample{id: id, placedAt: r.since(at)})
}

// terminal records that order o, placed at placedAt, was seen terminal at
// seen.
func (r *recorder) terminal(o order, placedAt, seen time.Time) {
	s := orderSample{final: o.final(), seenAt: r.since(seen), doneAt: r.since(seen), settle: seen.Sub(placedAt)}
	if !o.CreatedAt.IsZero() && o.UpdatedAt.After(o.CreatedAt) {
		s.settle = o.UpdatedAt.Sub(o.CreatedAt)
		s.doneAt = r.since(o.UpdatedAt)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	i, ok := r.byID[o.ID]
	if !ok || r.orders[i].final != "" {
		return
	}
	s.id, s.placedAt = o.ID, r.orders[i].placedAt
	r.orders[i] = s
}

// counts are the running totals the progress line shows.
type counts struct {
	accepted, terminal, paid, errors int
}

// totals counts what was recorded so far.
func (r *recorder) totals() counts {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := counts{accepted: len(r.orders)}
	for _, o := range r.orders {
		if o.final != "" {
			c.terminal++
		}
		if o.final == "paid" {
			c.paid++
		}
	}
	for _, e := range r.errors {
		c.errors += e.count
	}
	return c
}

// recentLatencies returns the latencies of step's successful calls that
// ended after from.
func (r *recorder) recentLatencies(step string, from time.Duration) []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Duration
	for i := len(r.calls) - 1; i >= 0 && r.calls[i].at >= from; i-- {
		if c := r.calls[i]; c.step == step && c.errKind == "" {
			out = append(out, c.latency)
		}
	}
	return out
}

// snapshot copies everything recorded, for the report.
func (r *recorder) snapshot() ([]callSample, []orderSample, map[string]errorSample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	errs := make(map[string]errorSample, len(r.errors))
	for k, v := range r.errors {
		errs[k] = *v
	}
	return append([]callSample(nil), r.calls...), append([]orderSample(nil), r.orders...), errs
}
