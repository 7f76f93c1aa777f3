package mongodb

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/event"

	"github.com/mercato-shop/mercato/platform/metrics"
)

// commandDuration is mercato_mongodb_command_duration_seconds{command,outcome}:
// the store's latency per wire command (find, update, insert, delete,
// aggregate, ...), as the driver measured it. The command names are the
// protocol's, a small fixed set; collections and filters are not labels.
var commandDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "mercato_mongodb_command_duration_seconds",
	Help:    "Time the store took to answer a command, by command name and outcome: ok (answered, write errors such as duplicate keys included) or error (failed).",
	Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
}, []string{"command", "outcome"})

// guardReads is mercato_mongodb_guard_reads_total{source}: how an emulating
// Writer judged a guard, on a document it knew from its own last write
// (known) or on one it read (read).
var guardReads = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "mercato_mongodb_guard_reads_total",
	Help: "Guards judged by the single-writer emulation, by source: known (the document as this process last wrote it, no command) or read (read by _id first).",
}, []string{"source"})

// commandMonitor feeds commandDuration; every client Connect makes uses it.
var commandMonitor = &event.CommandMonitor{
	Started: notifyObservers,
	Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
		commandDuration.WithLabelValues(e.CommandName, "ok").Observe(e.Duration.Seconds())
	},
	Failed: func(_ context.Context, e *event.CommandFailedEvent) {
		commandDuration.WithLabelValues(e.CommandName, "error").Observe(e.Duration.Seconds())
	},
}

// RegisterMetrics adds the store's command metrics to reg (a service's
// registry). Registering them again on the same registry is a no-op.
func RegisterMetrics(reg prometheus.Registerer) error {
	return metrics.RegisterAll(reg, commandDuration, guardReads)
}
