package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// The two ways of loading the suite.
const (
	// modeJourney: each worker is a shopper who checks out and waits
	// (polling) until the order is paid or cancelled, then shops again: a
	// closed loop, at most -c orders in flight.
	modeJourney = "journey"
	// modeStream: each worker checks out, reads the order's status once
	// and shops again without waiting; the tracker follows the accepted
	// orders until they are terminal. The backlog can grow without bound,
	// which is what a sustained-load run must show.
	modeStream = "stream"
)

// loadConfig shapes one load run.
type loadConfig struct {
	mode         string
	duration     time.Duration
	concurrency  int
	trackers     int
	rate         float64
	pollInterval time.Duration
	trackPoll    time.Duration
	trackRate    float64
	orderTimeout time.Duration
	drainTimeout time.Duration
	products     []string
	shoppers     []string
	// progressOut receives a progress line every progressEvery (0: none).
	progressOut   io.Writer
	progressEvery time.Duration
}

// loadResult is what a run recorded and when its phases ended.
type loadResult struct {
	rec *recorder
	// streamEnd is when the stream stopped: the duration, or the last
	// checkout's answer if later (since the run's start).
	streamEnd time.Duration
	// end is when the run ended: every order terminal, or the drain
	// timed out.
	end time.Duration
	// stuck counts by status the accepted orders still not terminal at end.
	stuck map[string]int
	// interrupted says the run was cut short (Ctrl-C).
	interrupted bool
}

// runLoad starts journeys on cfg.concurrency workers until cfg.duration
// has passed, then waits until every accepted order is terminal (at most
// cfg.drainTimeout). Each worker owns its shoppers (there are at least as
// many shoppers as workers), so no cart is shared between workers.
func runLoad(ctx context.Context, a *api, cfg loadConfig, rec *recorder) loadResult {
	stopAt := rec.start.Add(cfg.duration)
	tr := newTracker(a, rec, cfg.trackPoll, cfg.trackRate)
	var trackers sync.WaitGroup
	for range cfg.trackers {
		trackers.Add(1)
		go func() { defer trackers.Done(); tr.poll(ctx) }()
	}
	progressCtx, stopProgress := context.WithCancel(ctx)
	defer stopProgress()
	go progress(progressCtx, cfg.progressOut, rec, tr, cfg.duration, cfg.progressEvery)
	pace := newPacer(cfg.rate)
	var workers sync.WaitGroup
	for w := range cfg.concurrency {
		var owned []string
		for i := w; i < len(cfg.shoppers); i += cfg.concurrency {
			owned = append(owned, cfg.shoppers[i])
		}
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := 0; ctx.Err() == nil; i++ {
				if pace.wait(ctx, stopAt) != nil || !time.Now().Before(stopAt) {
					return
				}
				j := journey{a: a, rec: rec, tr: tr, cfg: cfg, token: owned[i%len(owned)],
					product: cfg.products[(w+i)%len(cfg.products)], key: fmt.Sprintf("loadgen-%d-%d-%d", rec.start.UnixNano(), w, i)}
				j.run(ctx)
			}
		}()
	}
	workers.Wait()
	res := loadResult{rec: rec, streamEnd: cfg.duration}
	if ctx.Err() != nil {
		res.interrupted = true
		res.streamEnd = min(res.streamEnd, rec.since(time.Now()))
	}
	calls, _, _ := rec.snapshot()
	for _, c := range calls {
		if c.step == stepCheckout && c.at > res.streamEnd {
			res.streamEnd = c.at
		}
	}
	tr.drain(time.Now().Add(cfg.drainTimeout))
	trackers.Wait()
	res.end = rec.since(time.Now())
	res.stuck = tr.left()
	return res
}

// journey is one shopper's visit: one unit in the cart, checkout, and then
// (by mode) waiting for the outcome or one status read.
type journey struct {
	a                   *api
	rec                 *recorder
	tr                  *tracker
	cfg                 loadConfig
	token, product, key string
}

func (j journey) run(ctx context.Context) {
	if err := timed(j.rec, stepCart, func() error { return j.a.setCartItem(ctx, j.token, j.product, 1) }); err != nil {
		_ = sleep(ctx, backoff(err))
		return
	}
	var o order
	err := timed(j.rec, stepCheckout, func() (err error) { o, err = j.a.checkout(ctx, j.token, j.key); return err })
	if err != nil {
		_ = sleep(ctx, backoff(err))
		return
	}
	placedAt := time.Now()
	j.rec.placed(o.ID, placedAt)
	if j.cfg.mode == modeStream {
		// The shopper's browser reads the order once after the 202.
		o = j.read(ctx, o)
	} else {
		deadline := placedAt.Add(j.cfg.orderTimeout)
		for !o.terminal() && time.Now().Before(deadline) && sleep(ctx, j.cfg.pollInterval) == nil {
			o = j.read(ctx, o)
		}
	}
	if o.terminal() {
		j.rec.terminal(o, placedAt, time.Now())
		return
	}
	j.tr.add(tracked{o: o, token: j.token, placed: placedAt})
}

// read reads the order's status; on error it returns o unchanged (the
// error is recorded).
func (j journey) read(ctx context.Context, o order) order {
	var got order
	if err := timed(j.rec, stepStatus, func() (err error) { got, err = j.a.order(ctx, j.token, o.ID); return err }); err != nil {
		return o
	}
	return got
}

// timed runs call, recording its latency and error as step.
func timed(rec *recorder, step string, call func() error) error {
	start := time.Now()
	err := call()
	end := time.Now()
	rec.call(step, end, end.Sub(start), err)
	return err
}

// pacer spaces the starts of journeys across all workers to a total rate;
// a nil pacer does not wait.
type pacer struct {
	mu       sync.Mutex
	next     time.Time
	interval time.Duration
}

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return nil
	}
	return &pacer{interval: time.Duration(float64(time.Second) / perSecond)}
}

// wait blocks until the caller's turn, or returns an error when ctx ends
// or the turn would come after stopAt.
func (p *pacer) wait(ctx context.Context, stopAt time.Time) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	if at.After(stopAt) {
		return context.DeadlineExceeded
	}
	return sleep(ctx, time.Until(at))
}

// sleep waits d, or returns ctx's error.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
