package ingest

import (
	"sync"
	"time"
)

// limiter is a token bucket per session id, in this replica's memory.
// Buckets idle long enough to be full again are dropped by a sweep that
// runs when the map has grown, so memory stays bounded by the sessions of
// the last few seconds.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	sweepAt int
}

type bucket struct {
	tokens float64
	last   time.Time
}

// sweepThreshold is the map size from which idle buckets are swept.
const sweepThreshold = 10_000

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}, sweepAt: sweepThreshold}
}

// allow takes a token from session's bucket at now; when there is none it
// reports false and how long until there is one.
func (l *limiter) allow(session string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[session]
	if b == nil {
		if len(l.buckets) >= l.sweepAt {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[session] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
		return max(wait, time.Second), false
	}
	b.tokens--
	return 0, true
}

// sweep drops the buckets that have refilled completely.
func (l *limiter) sweep(now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for s, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, s)
		}
	}
	l.sweepAt = max(sweepThreshold, 2*len(l.buckets))
}
