package kafka

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// consumerMetrics count what consumers do, labelled by group and topic.
// Consumers registering on one registry share the collectors.
type consumerMetrics struct {
	handled      *prometheus.CounterVec
	failed       *prometheus.CounterVec
	deadLettered *prometheus.CounterVec
	retried      *prometheus.CounterVec
	lag          *prometheus.GaugeVec
	// step times where a message's time goes in this consumer: delivered
	// (from its append in Kafka to its fetch here), queued (fetched until
	// its partition's worker takes it) and handled (the handler, retries
	// included).
	step *prometheus.HistogramVec
}

func newConsumerMetrics(reg prometheus.Registerer) *consumerMetrics {
	labels := []string{"group", "topic"}
	return &consumerMetrics{
		handled: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mercato_kafka_consumer_messages_handled_total",
			Help: "Messages the handler processed successfully.",
		}, labels)),
		failed: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mercato_kafka_consumer_handler_errors_total",
			Help: "Handler attempts that returned an error (each retry counts).",
		}, labels)),
		deadLettered: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mercato_kafka_consumer_messages_dead_lettered_total",
			Help: "Messages sent to the dead-letter topic.",
		}, labels)),
		retried: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mercato_kafka_consumer_messages_retried_total",
			Help: "Handler retries after a transient failure (a message retried twice counts twice).",
		}, labels)),
		lag: register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mercato_kafka_consumer_lag",
			Help: "Messages behind the partition's high-water mark at the last fetch.",
		}, []string{"group", "topic", "partition"})),
		step: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mercato_kafka_consumer_step_seconds",
			Help:    "Where a message's time goes in a consumer: delivered (appended in Kafka until fetched), queued (fetched until its partition's worker takes it), handled (handler time, retries included).",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"group", "topic", "step"})),
	}
}

// register adds c to reg, or returns the collector already registered under
// the same name; a nil reg leaves c unregistered.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // a programming error: a conflicting metric name
	}
	return c
}
