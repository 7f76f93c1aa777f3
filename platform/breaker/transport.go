package breaker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// resultCanceled counts calls the caller abandoned before the upstream
// answered; they are not held against the upstream.
const resultCanceled = "canceled"

// Transport is an http.RoundTripper that runs every round trip through one
// circuit breaker. Use one Transport per upstream.
type Transport struct {
	base    http.RoundTripper
	opts    Options
	cb      *gobreaker.TwoStepCircuitBreaker
	metrics *metrics
	// calls are this breaker's mercato_breaker_calls_total counters by
	// result, resolved once rather than looked up on every call.
	calls map[string]prometheus.Counter
	// openedAt is when the breaker last opened, in Unix nanoseconds.
	openedAt atomic.Int64
}

// NewTransport wraps base (http.DefaultTransport when nil) in a circuit
// breaker configured by opts.
func NewTransport(base http.RoundTripper, opts Options) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	opts = opts.withDefaults()
	t := &Transport{base: base, opts: opts, metrics: newMetrics(opts.Registerer)}
	t.metrics.state.WithLabelValues(opts.Name).Set(float64(gobreaker.StateClosed))
	t.calls = make(map[string]prometheus.Counter, 4)
	for _, result := range []string{resultSuccess, resultFailure, resultRejected, resultCanceled} {
		t.calls[result] = t.metrics.calls.WithLabelValues(opts.Name, result)
	}
	t.cb = gobreaker.NewTwoStepCircuitBreaker(gobreaker.Settings{
		Name:          opts.Name,
		MaxRequests:   opts.HalfOpenMaxRequests,
		Interval:      opts.Interval,
		Timeout:       opts.OpenFor,
		ReadyToTrip:   opts.readyToTrip,
		OnStateChange: t.onStateChange,
	})
	return t
}

// Name is the breaker's name (Options.Name).
func (t *Transport) Name() string { return t.opts.Name }

// State is the breaker's current state. An open breaker whose OpenFor has
// elapsed reports (and becomes) half-open.
func (t *Transport) State() gobreaker.State { return t.cb.State() }

// RoundTrip sends req unless the breaker is open. A 5xx response is returned
// to the caller as it is and only counted as a failure. The Timeout bounds
// the wait for the response headers; the body is read under req's context
// and the call's resources are released when the body is closed. A call
// the caller cancels before the headers arrive is not held against the
// upstream (gobreaker counts it as a success). The trace context of req's
// context, if any, is sent along as a traceparent header.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	done, err := t.cb.Allow()
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper always closes the request body
		}
		t.count(resultRejected)
		return nil, &apperr.RetryableError{
			Kind:       apperr.ErrUnavailable,
			Detail:     t.opts.Name + " unavailable",
			RetryAfter: t.retryAfter(),
			Err:        err,
		}
	}

	defer t.observeSince(time.Now())
	ctx, cancel := context.WithCancel(req.Context())
	headersTimer := time.AfterFunc(t.opts.Timeout, cancel)
	resp, err := t.base.RoundTrip(withTraceContext(req.WithContext(ctx)))
	if !headersTimer.Stop() { // the timer fired: no headers in time
		if err == nil {
			_ = resp.Body.Close()
		}
		resp, err = nil, fmt.Errorf("%s: no response within %s: %w", t.opts.Name, t.opts.Timeout, context.DeadlineExceeded)
	}

	switch {
	case err != nil && errors.Is(req.Context().Err(), context.Canceled):
		cancel()
		done(true)
		t.count(resultCanceled)
		return nil, err
	case err != nil:
		cancel()
		done(false)
		t.count(resultFailure)
		return nil, err
	case resp.StatusCode >= http.StatusInternalServerError && !dependencyUnavailable(resp):
		done(false)
		t.count(resultFailure)
	default:
		done(true)
		t.count(resultSuccess)
	}
	if resp.Body == nil {
		cancel()
		return resp, nil
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// withTraceContext sets the trace headers (traceparent) of req's context on
// req, a copy made by the transport, replacing any it had. Its headers are
// cloned first: a RoundTripper must not change the caller's request.
func withTraceContext(req *http.Request) *http.Request {
	if !trace.SpanContextFromContext(req.Context()).IsValid() {
		return req
	}
	req.Header = req.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	otel.GetTextMapPropagator().Inject(req.Context(), propagation.HeaderCarrier(req.Header))
	return req
}

// dependencyUnavailable tells a deliberate 503 answer from a live upstream
// (an RFC 9457 problem saying one of *its* dependencies is down, as the
// orders service answers a checkout while catalog is down) from the upstream
// failing. Counting it would open the gateway's breaker for the whole
// upstream and cut off its other routes that still work: one service down
// would cascade.
func dependencyUnavailable(resp *http.Response) bool {
	if resp.StatusCode != http.StatusServiceUnavailable {
		return false
	}
	mediaType := resp.Header.Get("Content-Type")
	if i := strings.IndexByte(mediaType, ';'); i >= 0 {
		mediaType = mediaType[:i]
	}
	return strings.EqualFold(strings.TrimSpace(mediaType), "application/problem+json")
}

// retryAfter is the time left until the breaker half-opens, at least 1s.
func (t *Transport) retryAfter() time.Duration {
	opened := time.Unix(0, t.openedAt.Load())
	left := time.Until(opened.Add(t.opts.OpenFor))
	if left < time.Second {
		return time.Second
	}
	return left
}

// onStateChange runs under gobreaker's lock: it must not call t.cb.
func (t *Transport) onStateChange(name string, from, to gobreaker.State) {
	if to == gobreaker.StateOpen {
		t.openedAt.Store(time.Now().UnixNano())
	}
	t.metrics.state.WithLabelValues(name).Set(float64(to))
	level := slogLevelFor(to)
	t.opts.Logger.Log(context.Background(), level, "circuit breaker state changed",
		"breaker", name, "from", from.String(), "to", to.String())
}

func (t *Transport) count(result string) {
	t.calls[result].Inc()
}

// cancelOnClose releases the call's context once the body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// slogLevelFor logs an opening breaker as a warning, recovery as info.
func slogLevelFor(to gobreaker.State) slog.Level {
	if to == gobreaker.StateOpen {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
