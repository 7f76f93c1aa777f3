package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// progress prints one line every interval until ctx ends: elapsed time,
// phase, accepted and paid orders (with their rates over the interval),
// the backlog, errors, and checkout and status-read p99 over the interval.
func progress(ctx context.Context, out io.Writer, rec *recorder, tr *tracker, stopAt time.Duration, interval time.Duration) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var prev counts
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := rec.since(time.Now())
		c := rec.totals()
		phase := "load "
		if now > stopAt {
			phase = "drain"
		}
		from := now - interval
		checkout := quantilesOf(rec.recentLatencies(stepCheckout, from))
		status := quantilesOf(rec.recentLatencies(stepStatus, from))
		fmt.Fprintf(out, "[%5.0fs %s] accepted %d (%.1f/s)  paid %d (%.1f/s)  backlog %d (tracked %d)  errors %d  |  checkout p99 %s  status p99 %s\n",
			now.Seconds(), phase, c.accepted, float64(c.accepted-prev.accepted)/interval.Seconds(),
			c.paid, float64(c.paid-prev.paid)/interval.Seconds(), c.accepted-c.terminal, tr.backlog(), c.errors,
			p99(checkout), p99(status))
		prev = c
	}
}

// p99 is the distribution's p99, or "-" without samples.
func p99(q quantiles) string {
	if q.n == 0 {
		return "-"
	}
	return ms(q.p99)
}
