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
