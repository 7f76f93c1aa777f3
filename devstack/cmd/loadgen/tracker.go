package main

import (
	"context"
	"sync"
	"time"
)

// tracked is an accepted order that is not terminal yet.
type tracked struct {
	o      order
	token  string
	placed time.Time
	next   time.Time // not polled again before
}

// tracker follows accepted orders that their journey did not see
// terminal: its pollers read each one's status at most every interval,
// oldest first, and all together at most at the pace's rate, until it is
// terminal. After drain, pollers stop once every order is terminal or the
// deadline has passed. The rate keeps the tracker's own reads from
// loading a suite that is behind: how late an order is seen does not
// matter to the figures, which take the time it became terminal from its
// updated_at.
type tracker struct {
	a        *api
	rec      *recorder
	interval time.Duration
	pace     *pacer

	mu       sync.Mutex
	queue    []tracked
	inFlight int
	draining bool
	deadline time.Time
}

func newTracker(a *api, rec *recorder, interval time.Duration, perSecond float64) *tracker {
	return &tracker{a: a, rec: rec, interval: interval, pace: newPacer(perSecond)}
}

// add hands an order over to the tracker.
func (t *tracker) add(o tracked) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.queue = append(t.queue, o)
}

// drain tells the pollers that no more orders come, and to give up at
// deadline.
func (t *tracker) drain(deadline time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.draining, t.deadline = true, deadline
}

// backlog is how many orders the tracker follows.
func (t *tracker) backlog() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.queue) + t.inFlight
}

// left counts by status the orders still not terminal.
func (t *tracker) left() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]int{}
	for _, o := range t.queue {
		status := o.o.Status
		if status == "" {
			status = "unknown"
		}
		out[status]++
	}
	return out
}

// take returns the oldest order, or false when the poller should stop.
// It waits (briefly, in steps) while there is nothing to poll.
func (t *tracker) take(ctx context.Context) (tracked, bool) {
	for {
		t.mu.Lock()
		done := t.draining && (len(t.queue)+t.inFlight == 0 || time.Now().After(t.deadline))
		if done || ctx.Err() != nil {
			t.mu.Unlock()
			return tracked{}, false
		}
		if len(t.queue) > 0 {
			o := t.queue[0]
			t.queue = t.queue[1:]
			t.inFlight++
			t.mu.Unlock()
			return o, true
		}
		t.mu.Unlock()
		if sleep(ctx, 5*time.Millisecond) != nil {
			return tracked{}, false
		}
	}
}

// settle ends a take: a terminal order is recorded, any other goes back
// to the end of the queue.
func (t *tracker) settle(o tracked, terminal bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inFlight--
	if !terminal {
		t.queue = append(t.queue, o)
	}
}

// poll is one poller's loop.
func (t *tracker) poll(ctx context.Context) {
	for {
		o, ok := t.take(ctx)
		if !ok {
			return
		}
		if err := sleep(ctx, time.Until(o.next)); err != nil {
			t.settle(o, false)
			return
		}
		if err := t.pace.wait(ctx, time.Now().Add(time.Hour)); err != nil {
			t.settle(o, false)
			return
		}
		var got order
		err := timed(t.rec, stepStatus, func() (err error) { got, err = t.a.order(ctx, o.token, o.o.ID); return err })
		if err == nil {
			o.o = got
		}
		if o.o.terminal() {
			t.rec.terminal(o.o, o.placed, time.Now())
		}
		o.next = time.Now().Add(t.interval)
		t.settle(o, o.o.terminal())
	}
}
