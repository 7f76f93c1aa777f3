package breaker

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// newDurationMetric is mercato_breaker_call_duration_seconds{name}: the
// time from sending a call the breaker let through to its response headers
// (or its failure). With mercato_breaker_calls_total it gives the RED
// signals per upstream.
func newDurationMetric() *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mercato_breaker_call_duration_seconds",
		Help:    "Time from sending a call through a circuit breaker to its response headers or failure.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"name"})
}

// observeSince records a call that started at start; call it deferred.
func (t *Transport) observeSince(start time.Time) {
	t.metrics.duration.WithLabelValues(t.opts.Name).Observe(time.Since(start).Seconds())
}
