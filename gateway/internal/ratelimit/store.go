package ratelimit

import (
	"hash/maphash"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// shardCount spreads the buckets over independently locked maps.
const shardCount = 16

// bucket is one key's token bucket and when it was last used.
type bucket struct {
	limiter *rate.Limiter
	last    time.Time
}

// store holds the buckets of one scope (addresses or users), keyed by K.
// A bucket that has not been used for as long as its quota takes to refill
// completely is as good as a new one, so sweeps drop it; a shard at its
// capacity drops one bucket (first the refilled ones) before adding one.
type store[K comparable] struct {
	seed      maphash.Seed
	perShard  int
	sweepGap  time.Duration
	shards    [shardCount]shard[K]
	refillFor func(K) time.Duration
}

type shard[K comparable] struct {
	mu        sync.Mutex
	buckets   map[K]*bucket
	lastSweep time.Time
}

func newStore[K comparable](maxKeys int, sweepGap time.Duration, refillFor func(K) time.Duration) *store[K] {
	s := &store[K]{
		seed:      maphash.MakeSeed(),
		perShard:  max(1, maxKeys/shardCount),
		sweepGap:  sweepGap,
		refillFor: refillFor,
	}
	for i := range s.shards {
		s.shards[i].buckets = make(map[K]*bucket)
	}
	return s
}

// decision is the outcome of taking one token.
type decision struct {
	allowed bool
	// remaining is the whole tokens left after this request.
	remaining int
	// retryAfter is how long until one token is available (denied only).
	retryAfter time.Duration
	// resetAfter is how long until the bucket is full again.
	resetAfter time.Duration
}

// take spends one token of key's bucket under quota q at now.
func (s *store[K]) take(key K, q Quota, now time.Time) decision {
	sh := &s.shards[maphash.Comparable(s.seed, key)%shardCount]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b, ok := sh.buckets[key]
	if !ok {
		if len(sh.buckets) >= s.perShard || now.Sub(sh.lastSweep) >= s.sweepGap {
			s.sweep(sh, now)
		}
		b = &bucket{limiter: rate.NewLimiter(q.rate(), q.Limit)}
		sh.buckets[key] = b
	}
	b.last = now
	r := q.rate()
	if b.limiter.AllowN(now, 1) {
		tokens := b.limiter.TokensAt(now)
		return decision{allowed: true, remaining: int(tokens), resetAfter: secondsOf((float64(q.Limit) - tokens) / float64(r))}
	}
	tokens := b.limiter.TokensAt(now)
	return decision{
		retryAfter: secondsOf((1 - tokens) / float64(r)),
		resetAfter: secondsOf((float64(q.Limit) - tokens) / float64(r)),
	}
}

// sweep drops the buckets of sh that have refilled; if sh is still at its
// capacity, it drops arbitrary ones (map order) until there is room. Called
// with sh.mu held.
func (s *store[K]) sweep(sh *shard[K], now time.Time) {
	sh.lastSweep = now
	for key, b := range sh.buckets {
		if now.Sub(b.last) >= s.refillFor(key) {
			delete(sh.buckets, key)
		}
	}
	for key := range sh.buckets {
		if len(sh.buckets) < s.perShard {
			break
		}
		delete(sh.buckets, key)
	}
}

// size is the number of buckets held.
func (s *store[K]) size() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.buckets)
		sh.mu.Unlock()
	}
	return n
}

func secondsOf(seconds float64) time.Duration {
	if seconds <= 0 {
		return 0
	}
	return time.Duration(seconds * float64(time.Second))
}
