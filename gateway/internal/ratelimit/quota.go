// Package ratelimit is the gateway's rate limiter (OWASP API4): token
// buckets from golang.org/x/time/rate per client address and per signed-in
// user, with separate budgets for the auth routes, checkout, other writes
// and reads. A request over a budget gets 429 problem+json (code
// rate_limited) with Retry-After; every limited answer carries the IETF
// RateLimit-Policy and RateLimit fields (draft-ietf-httpapi-ratelimit-headers).
//
// Budgets are per gateway replica: N replicas behind a balancer admit up to
// N times each budget. Idle buckets are dropped once they have refilled, and
// each store holds at most MaxKeys buckets, so memory stays bounded under a
// flood of distinct addresses.
package ratelimit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Quota is a budget: Limit requests per Window, which is also the burst a
// full bucket admits at once. The zero Quota is unlimited.
type Quota struct {
	Limit  int
	Window time.Duration
}

// Off reports whether the quota limits nothing.
func (q Quota) Off() bool { return q.Limit <= 0 || q.Window <= 0 }

// rate is the refill rate in tokens per second.
func (q Quota) rate() rate.Limit { return rate.Limit(float64(q.Limit) / q.Window.Seconds()) }

// String is the quota in the form ParseQuota reads, such as "20/1m0s".
func (q Quota) String() string {
	if q.Off() {
		return "off"
	}
	return strconv.Itoa(q.Limit) + "/" + q.Window.String()
}

// ParseQuota reads "<limit>/<window>", such as "20/1m" or "100/1s", where
// window is a Go duration (a bare unit means one of it: "20/m"); "off" or
// "0" is no limit.
func ParseQuota(s string) (Quota, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Quota{}, nil
	}
	limitText, windowText, ok := strings.Cut(s, "/")
	if !ok {
		return Quota{}, fmt.Errorf("quota %q: want <limit>/<window> such as 20/1m, or off", s)
	}
	limit, err := strconv.Atoi(strings.TrimSpace(limitText))
	if err != nil || limit < 0 {
		return Quota{}, fmt.Errorf("quota %q: limit is not a non-negative integer", s)
	}
	windowText = strings.TrimSpace(windowText)
	if windowText != "" && (windowText[0] < '0' || windowText[0] > '9') {
		windowText = "1" + windowText
	}
	window, err := time.ParseDuration(windowText)
	if err != nil || window <= 0 {
		return Quota{}, fmt.Errorf("quota %q: window is not a positive duration", s)
	}
	return Quota{Limit: limit, Window: window}, nil
}

// UnmarshalText lets the configuration read a Quota from the environment.
func (q *Quota) UnmarshalText(text []byte) error {
	parsed, err := ParseQuota(string(text))
	if err != nil {
		return err
	}
	*q = parsed
	return nil
}
