package breaker

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Call results counted by mercato_breaker_calls_total.
const (
	resultSuccess  = "success"
	resultFailure  = "failure"
	resultRejected = "rejected"
)

// metrics are shared by every breaker registered on the same Registerer.
type metrics struct {
	state    *prometheus.GaugeVec
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mercato_breaker_state",
			Help: "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.",
		}, []string{"name"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mercato_breaker_calls_total",
			Help: "Calls through a circuit breaker by result: success, failure, rejected (breaker open), canceled (by the caller).",
		}, []string{"name", "result"}),
		duration: newDurationMetric(),
	}
	if reg != nil {
		m.state = registerOrExisting(reg, m.state)
		m.calls = registerOrExisting(reg, m.calls)
		m.duration = registerOrExisting(reg, m.duration)
	}
	return m
}

// registerOrExisting registers c, or returns the collector already registered
// under the same name, so several breakers can share one Registerer.
func registerOrExisting[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		// A conflicting, differently shaped collector: keep ours unregistered
		// rather than fail the caller; the conflict is a programming error
		// that the metrics endpoint test of the service will reveal.
	}
	return c
}
