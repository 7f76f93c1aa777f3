package authn

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/mercato-shop/mercato/platform/auth"
)

// Bounds of the verified-token cache.
const (
	// CacheSize is the most tokens remembered at once.
	CacheSize = 20_000
	// CacheTTL is the longest a token is remembered, even when it expires
	// later: a key withdrawn from the JWKS stops admitting its tokens
	// within this time.
	CacheTTL = time.Minute
)

// tokenCache remembers verified tokens by their SHA-256. Only a token that
// verified is ever stored, so a forged token (a different hash) always goes
// through the verifier.
type tokenCache struct {
	mu      sync.Mutex
	entries map[[32]byte]cachedCaller
	size    int
	ttl     time.Duration
	now     func() time.Time
}

type cachedCaller struct {
	caller auth.Caller
	until  time.Time
}

func newTokenCache(size int, ttl time.Duration, now func() time.Time) *tokenCache {
	return &tokenCache{entries: make(map[[32]byte]cachedCaller), size: size, ttl: ttl, now: now}
}

// get is the caller of a remembered token that has not expired.
func (c *tokenCache) get(key [32]byte) (auth.Caller, bool) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if !ok || !c.now().Before(e.until) {
		return auth.Caller{}, false
	}
	return e.caller, true
}

// put remembers a verified token until expires (its exp claim) or the TTL,
// whichever comes first. A token without a readable exp is not remembered.
// At capacity, expired entries go first, then arbitrary ones.
func (c *tokenCache) put(key [32]byte, caller auth.Caller, expires time.Time) {
	now := c.now()
	until := now.Add(c.ttl)
	if expires.Before(until) {
		until = expires
	}
	if expires.IsZero() || !now.Before(until) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.size {
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < c.size {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = cachedCaller{caller: caller, until: until}
}

// len is the number of remembered tokens.
func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// expiryOf reads the exp claim of a JWT that has already been verified;
// the zero time when it cannot.
func expiryOf(raw string) time.Time {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return time.Time{}
	}
	seconds, err := claims.Exp.Float64()
	if err != nil || seconds <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(seconds), 0)
}
