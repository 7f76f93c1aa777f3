package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// scenario is one kind of request; path gives the i-th request's path.
type scenario struct {
	name string
	path func(i int) string
}

// result is what measure saw.
type result struct {
	name          string
	requests      int
	errors        int
	elapsed       time.Duration
	p50, p99, max time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("%-16s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%d requests, %d errors)",
		r.name, float64(r.requests)/r.elapsed.Seconds(), ms(r.p50), ms(r.p99), ms(r.max), r.requests, r.errors)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measure runs concurrency clients (keep-alive connections) against base
// for d and collects every latency.
func measure(ctx context.Context, base string, sc scenario, concurrency int, d time.Duration) result {
	transport := &http.Transport{MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		next atomic.Int64
		errs atomic.Int64
		mu   sync.Mutex
		all  []time.Duration
		wg   sync.WaitGroup
	)
	started := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<14)
			for ctx.Err() == nil {
				i := int(next.Add(1))
				t0 := time.Now()
				resp, err := client.Get(base + sc.path(i))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if ctx.Err() != nil {
					break
				}
				if err != nil || resp.StatusCode != http.StatusOK {
					errs.Add(1)
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	slices.Sort(all)
	r := result{name: sc.name, requests: len(all), errors: int(errs.Load()), elapsed: elapsed}
	if len(all) > 0 {
		r.p50, r.p99, r.max = all[len(all)/2], all[len(all)*99/100], all[len(all)-1]
	}
	return r
}
