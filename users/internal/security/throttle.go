package security

import (
	"sync"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// ThrottlePolicy says how many failed logins a key (an account or a client
// address) may have within Window before it is locked for Lockout.
type ThrottlePolicy struct {
	MaxFailures int
	Window      time.Duration
	Lockout     time.Duration
}

// Default policies: an account locks after 5 failures in 15 minutes for 5
// minutes (short, so an attacker cannot lock a user out for long); a client
// address locks after 20 failures in 15 minutes for 15 minutes.
var (
	DefaultAccountPolicy = ThrottlePolicy{MaxFailures: 5, Window: 15 * time.Minute, Lockout: 5 * time.Minute}
	DefaultClientPolicy  = ThrottlePolicy{MaxFailures: 20, Window: 15 * time.Minute, Lockout: 15 * time.Minute}
)

// FailureWindow is the failure count of one key: failures since
// WindowStart, and a lock until LockedUntil.
type FailureWindow struct {
	Count       int
	WindowStart time.Time
	LockedUntil time.Time
}

// RetryAfter reports how long w stays locked at now; zero when it is not.
func (p ThrottlePolicy) RetryAfter(w FailureWindow, now time.Time) time.Duration {
	if now.Before(w.LockedUntil) {
		return w.LockedUntil.Sub(now)
	}
	return 0
}

// Fail records one failure at now: a window older than Window starts over,
// and the MaxFailures-th failure locks the key for Lockout and starts a
// fresh count.
func (p ThrottlePolicy) Fail(w FailureWindow, now time.Time) FailureWindow {
	if w.Count == 0 || now.Sub(w.WindowStart) >= p.Window {
		w.Count, w.WindowStart = 0, now
	}
	w.Count++
	if w.Count >= p.MaxFailures {
		w = FailureWindow{LockedUntil: now.Add(p.Lockout)}
	}
	return w
}

// idle reports whether w holds nothing worth keeping at now.
func (p ThrottlePolicy) idle(w FailureWindow, now time.Time) bool {
	return !now.Before(w.LockedUntil) && (w.Count == 0 || now.Sub(w.WindowStart) >= p.Window)
}

// LoginThrottle counts failed logins per account and per client address.
//
// Its state is in memory, per replica: with N replicas an attacker gets at
// most N times the allowance, which is acceptable for a throttle (the
// password hash cost bounds the rate anyway) and keeps logins off the
// store. Memory stays bounded by the failures of one window: idle entries
// are pruned. Safe for concurrent use.
type LoginThrottle struct {
	account, client ThrottlePolicy

	mu        sync.Mutex
	accounts  map[string]FailureWindow
	clients   map[string]FailureWindow
	lastPrune time.Time
}

// NewLoginThrottle builds a throttle with the two policies.
func NewLoginThrottle(account, client ThrottlePolicy) *LoginThrottle {
	return &LoginThrottle{
		account:  account,
		client:   client,
		accounts: map[string]FailureWindow{},
		clients:  map[string]FailureWindow{},
	}
}

// Check refuses a login attempt while the account (normalised email,
// whether or not it exists) or the client address is locked, with an
// *apperr.RetryableError of kind apperr.ErrRateLimited carrying the longer
// Retry-After. Check it before verifying the password.
func (t *LoginThrottle) Check(email, clientAddr string, now time.Time) error {
	t.mu.Lock()
	wait := max(t.account.RetryAfter(t.accounts[email], now), t.client.RetryAfter(t.clients[clientAddr], now))
	t.mu.Unlock()
	if wait > 0 {
		return &apperr.RetryableError{Kind: apperr.ErrRateLimited, Detail: "too many failed logins", RetryAfter: wait}
	}
	return nil
}

// Failure records a failed login (unknown email or wrong password alike).
func (t *LoginThrottle) Failure(email, clientAddr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.accounts[email] = t.account.Fail(t.accounts[email], now)
	t.clients[clientAddr] = t.client.Fail(t.clients[clientAddr], now)
	t.pruneLocked(now)
}

// Success clears the account's failures. The client address keeps its
// count, so logging into one's own account does not reset a guessing run
// against others from the same address.
func (t *LoginThrottle) Success(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, email)
}

// pruneLocked drops idle entries, at most once a minute.
func (t *LoginThrottle) pruneLocked(now time.Time) {
	if now.Sub(t.lastPrune) < time.Minute {
		return
	}
	t.lastPrune = now
	for k, w := range t.accounts {
		if t.account.idle(w, now) {
			delete(t.accounts, k)
		}
	}
	for k, w := range t.clients {
		if t.client.idle(w, now) {
			delete(t.clients, k)
		}
	}
}

// size is the number of tracked keys (for tests).
func (t *LoginThrottle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.accounts) + len(t.clients)
}
