package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// orderDeadline bounds the wait for a placed order to be paid or cancelled.
const orderDeadline = 30 * time.Second

// journeyResult is the outcome of one shopper journey.
type journeyResult struct {
	// final is the order's last seen status, or "checkout_failed",
	// "cart_failed", "poll_failed", "timeout:<status>".
	final string
	// checkout is the round trip of POST /checkout (0 if not reached).
	checkout time.Duration
	// settle is from the checkout answer until the order was seen final.
	settle time.Duration
	// polls is how many GET /orders/{id} the journey sent.
	polls int
	err   error
}

// loadConfig shapes one load run.
type loadConfig struct {
	duration     time.Duration
	concurrency  int
	pollInterval time.Duration
	products     []string
	shoppers     []string
}

// loadResult is every journey of a run and how long the run took.
type loadResult struct {
	journeys []journeyResult
	elapsed  time.Duration
}

// runLoad runs shopper journeys on cfg.concurrency workers until
// cfg.duration has passed; journeys started before then run to their end.
// Each worker owns its shoppers (there are at least as many shoppers as
// workers), so no cart is shared between workers.
func runLoad(ctx context.Context, a *api, cfg loadConfig) loadResult {
	start := time.Now()
	stopAt := start.Add(cfg.duration)
	var (
		mu      sync.Mutex
		results []journeyResult
		wg      sync.WaitGroup
	)
	for w := range cfg.concurrency {
		wg.Add(1)
		var owned []string
		for i := w; i < len(cfg.shoppers); i += cfg.concurrency {
			owned = append(owned, cfg.shoppers[i])
		}
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stopAt) && ctx.Err() == nil; i++ {
				shopper := owned[i%len(owned)]
				product := cfg.products[(w+i)%len(cfg.products)]
				r := journey(ctx, a, shopper, product, fmt.Sprintf("loadgen-%d-%d-%d", start.UnixNano(), w, i), cfg.pollInterval)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return loadResult{journeys: results, elapsed: time.Since(start)}
}

// journey puts one unit of product in the cart, checks out and polls the
// order until it is paid or cancelled.
func journey(ctx context.Context, a *api, token, product, key string, poll time.Duration) journeyResult {
	if err := a.setCartItem(ctx, token, product, 1); err != nil {
		return journeyResult{final: "cart_failed", err: err}
	}
	sent := time.Now()
	o, err := a.checkout(ctx, token, key)
	placedAt := time.Now()
	r := journeyResult{checkout: placedAt.Sub(sent)}
	if err != nil {
		r.final, r.err = "checkout_failed", err
		return r
	}
	deadline := placedAt.Add(orderDeadline)
	for {
		if o.Status == "paid" || o.Status == "cancelled" {
			r.final, r.settle = o.Status, time.Since(placedAt)
			return r
		}
		if time.Now().After(deadline) {
			r.final = "timeout:" + o.Status
			return r
		}
		if err := sleep(ctx, poll); err != nil {
			r.final, r.err = "poll_failed", err
			return r
		}
		r.polls++
		if o, err = a.order(ctx, token, o.ID); err != nil {
			r.final, r.err = "poll_failed", err
			return r
		}
	}
}

// sleep waits d, or returns ctx's error.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// percentile is the p-th percentile (0–100) of sorted durations, nearest
// rank; 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.5) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}

// summary condenses a run's journeys.
type summary struct {
	byFinal            map[string]int
	polls              int
	paid               int
	checkouts, settles []time.Duration
	firstErrors        []error
	ordersPerSecond    float64
	elapsed            time.Duration
}

func summarize(res loadResult) summary {
	s := summary{byFinal: map[string]int{}, elapsed: res.elapsed}
	for _, j := range res.journeys {
		s.byFinal[j.final]++
		s.polls += j.polls
		if j.checkout > 0 && j.final != "checkout_failed" {
			s.checkouts = append(s.checkouts, j.checkout)
		}
		if j.final == "paid" {
			s.paid++
			s.settles = append(s.settles, j.settle)
		}
		if j.err != nil && len(s.firstErrors) < 3 && !errors.Is(j.err, context.Canceled) {
			s.firstErrors = append(s.firstErrors, j.err)
		}
	}
	sort.Slice(s.checkouts, func(i, j int) bool { return s.checkouts[i] < s.checkouts[j] })
	sort.Slice(s.settles, func(i, j int) bool { return s.settles[i] < s.settles[j] })
	if res.elapsed > 0 {
		s.ordersPerSecond = float64(s.paid) / res.elapsed.Seconds()
	}
	return s
}
