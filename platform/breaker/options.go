// Package breaker wraps outgoing HTTP calls in a circuit breaker
// (github.com/sony/gobreaker) with a per-call deadline.
//
// Transport is an http.RoundTripper: connection errors, timeouts and 5xx
// responses count as failures, every other response as a success. While the
// breaker is open a round trip fails at once, without touching the network,
// with an *apperr.RetryableError of kind apperr.ErrUnavailable whose
// RetryAfter is the time left until the breaker half-opens.
//
// The per-call deadline bounds the time until the response headers arrive;
// the body is then read under the caller's context, so a streamed response
// (Server-Sent Events) is not cut off. Client adds a whole-call deadline and
// JSON helpers for service-to-service reads.
package breaker

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker"
)

// Defaults applied by NewTransport to zero Options fields.
const (
	DefaultTimeout             = 2 * time.Second
	DefaultOpenFor             = 5 * time.Second
	DefaultConsecutiveFailures = 5
	DefaultInterval            = 60 * time.Second
	DefaultMinRequests         = 20
)

// Options configures one circuit breaker. Zero fields take the defaults above.
type Options struct {
	// Name identifies the upstream in errors, logs and metric labels.
	Name string
	// Timeout bounds each call until the response headers arrive (default 2s).
	Timeout time.Duration
	// OpenFor is how long the breaker stays open before it lets a trial call
	// through (half-open); gobreaker's Settings.Timeout (default 5s).
	OpenFor time.Duration
	// ConsecutiveFailures opens the breaker after that many failures in a
	// row (default 5).
	ConsecutiveFailures uint32
	// FailureRatio, when above zero, also opens the breaker once at least
	// MinRequests calls were counted in the current Interval and this
	// fraction of them failed.
	FailureRatio float64
	// MinRequests is the number of calls FailureRatio needs (default 20).
	MinRequests uint32
	// Interval is the period after which a closed breaker forgets its counts
	// (default 60s).
	Interval time.Duration
	// HalfOpenMaxRequests is how many trial calls a half-open breaker lets
	// through; that many successes close it (default 1).
	HalfOpenMaxRequests uint32
	// Registerer receives the breaker metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// Logger receives state changes; nil means slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = "upstream"
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.OpenFor <= 0 {
		o.OpenFor = DefaultOpenFor
	}
	if o.ConsecutiveFailures == 0 {
		o.ConsecutiveFailures = DefaultConsecutiveFailures
	}
	if o.MinRequests == 0 {
		o.MinRequests = DefaultMinRequests
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.HalfOpenMaxRequests == 0 {
		o.HalfOpenMaxRequests = 1
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// readyToTrip is the gobreaker trip rule built from the options.
func (o Options) readyToTrip(c gobreaker.Counts) bool {
	if c.ConsecutiveFailures >= o.ConsecutiveFailures {
		return true
	}
	return o.FailureRatio > 0 && c.Requests >= o.MinRequests &&
		float64(c.TotalFailures)/float64(c.Requests) >= o.FailureRatio
}
