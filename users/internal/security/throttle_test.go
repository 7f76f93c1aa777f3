package security

import (
	"errors"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestThrottlePolicy(t *testing.T) {
	p := ThrottlePolicy{MaxFailures: 3, Window: 10 * time.Minute, Lockout: 5 * time.Minute}
	type step struct {
		at        time.Duration // since t0
		fail      bool          // record a failure at this instant (after checking)
		wantRetry time.Duration // RetryAfter before the failure
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"under the limit never locks", []step{{0, true, 0}, {time.Minute, true, 0}, {2 * time.Minute, false, 0}}},
		{"third failure locks for the lockout", []step{{0, true, 0}, {time.Minute, true, 0}, {2 * time.Minute, true, 0}, {2 * time.Minute, false, 5 * time.Minute}, {6 * time.Minute, false, time.Minute}, {7 * time.Minute, false, 0}}},
		{"failures outside the window start over", []step{{0, true, 0}, {time.Minute, true, 0}, {11 * time.Minute, true, 0}, {12 * time.Minute, true, 0}, {13 * time.Minute, false, 0}}},
		{"after a lockout the count starts fresh", []step{{0, true, 0}, {0, true, 0}, {0, true, 0}, {5 * time.Minute, true, 0}, {5 * time.Minute, true, 0}, {5 * time.Minute, false, 0}, {5 * time.Minute, true, 0}, {5 * time.Minute, false, 5 * time.Minute}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var w FailureWindow
			for i, s := range tc.steps {
				now := t0.Add(s.at)
				if got := p.RetryAfter(w, now); got != s.wantRetry {
					t.Fatalf("step %d at %v: RetryAfter = %v, want %v (window %+v)", i, s.at, got, s.wantRetry, w)
				}
				if s.fail {
					w = p.Fail(w, now)
				}
			}
		})
	}
}

func TestLoginThrottlePerAccountAndPerClient(t *testing.T) {
	account := ThrottlePolicy{MaxFailures: 3, Window: time.Hour, Lockout: 5 * time.Minute}
	client := ThrottlePolicy{MaxFailures: 5, Window: time.Hour, Lockout: 15 * time.Minute}
	th := NewLoginThrottle(account, client)

	// Three failures lock the account from any address, unknown or not.
	for _, ip := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		if err := th.Check("victim@example.com", ip, t0); err != nil {
			t.Fatalf("before lock: %v", err)
		}
		th.Failure("victim@example.com", ip, t0)
	}
	err := th.Check("victim@example.com", "10.9.9.9", t0.Add(time.Minute))
	retry, ok := apperr.RetryAfterOf(err)
	if !errors.Is(err, apperr.ErrRateLimited) || !ok || retry != 4*time.Minute {
		t.Fatalf("locked account: err = %v, retry = %v", err, retry)
	}
	if err := th.Check("other@example.com", "10.0.0.1", t0.Add(time.Minute)); err != nil {
		t.Fatalf("another account from an address under its limit: %v", err)
	}

	// Spraying many accounts from one address locks the address.
	for i, email := range []string{"a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io"} {
		th.Failure(email, "10.6.6.6", t0.Add(time.Duration(i)*time.Second))
	}
	err = th.Check("fresh@x.io", "10.6.6.6", t0.Add(time.Minute))
	if retry, _ := apperr.RetryAfterOf(err); !errors.Is(err, apperr.ErrRateLimited) || retry != 14*time.Minute+4*time.Second {
		t.Fatalf("locked address: err = %v, retry = %v", err, retry)
	}
}

func TestLoginThrottleSuccessClearsOnlyTheAccount(t *testing.T) {
	policy := ThrottlePolicy{MaxFailures: 2, Window: time.Hour, Lockout: time.Minute}
	th := NewLoginThrottle(policy, policy)
	th.Failure("me@example.com", "10.0.0.1", t0)
	th.Success("me@example.com")
	th.Failure("me@example.com", "10.0.0.2", t0)
	if err := th.Check("me@example.com", "10.0.0.3", t0); err != nil {
		t.Fatalf("account failure count was not cleared by success: %v", err)
	}
	th.Failure("someone@example.com", "10.0.0.1", t0) // second failure from 10.0.0.1
	if err := th.Check("me@example.com", "10.0.0.1", t0); !errors.Is(err, apperr.ErrRateLimited) {
		t.Fatalf("address count must survive a success: err = %v", err)
	}
}

func TestLoginThrottlePrunesIdleEntries(t *testing.T) {
	policy := ThrottlePolicy{MaxFailures: 5, Window: time.Minute, Lockout: time.Minute}
	th := NewLoginThrottle(policy, policy)
	th.Failure("a@example.com", "10.0.0.1", t0)
	th.Failure("b@example.com", "10.0.0.2", t0)
	if th.size() != 4 {
		t.Fatalf("size = %d, want 4", th.size())
	}
	th.Failure("c@example.com", "10.0.0.3", t0.Add(2*time.Minute))
	if th.size() != 2 {
		t.Fatalf("after the window: size = %d, want 2 (only c's entries)", th.size())
	}
}
