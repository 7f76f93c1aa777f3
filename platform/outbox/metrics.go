package outbox

import (
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the relay's Prometheus series, labelled by collection name.
type metrics struct {
	backlog       *prometheus.GaugeVec
	published     *prometheus.CounterVec
	publishErrors *prometheus.CounterVec
	// phase is how long each step of publishing a document takes: wait
	// (from its notification to the start of its round), load, publish
	// (the Kafka acknowledgement of the round) and remove.
	phase *prometheus.HistogramVec

	mu     sync.Mutex
	counts map[string]map[string]int // collection name -> document key -> pending entries
	// firstSeen is when each pending document was first seen pending.
	firstSeen map[string]map[string]time.Time
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mercato_outbox_backlog",
			Help: "Outbox entries seen pending at the last sweep or load and not yet published.",
		}, []string{"collection"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mercato_outbox_published_total",
			Help: "Outbox entries published to Kafka.",
		}, []string{"collection"}),
		publishErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mercato_outbox_publish_errors_total",
			Help: "Failed attempts to publish a collection's outbox entries.",
		}, []string{"collection"}),
		phase: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mercato_outbox_relay_phase_seconds",
			Help:    "Time of each step of relaying a document's outbox: wait (notified until its round starts), load, publish (until Kafka acknowledged the round), remove.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"collection", "phase"}),
		counts: map[string]map[string]int{},
	}
	if reg != nil {
		m.backlog = register(reg, m.backlog)
		m.published = register(reg, m.published)
		m.publishErrors = register(reg, m.publishErrors)
		m.phase = register(reg, m.phase)
		register(reg, prometheus.Collector(ageCollector{m: m}))
	}
	return m
}

// register registers c, or returns the collector already registered under
// its name (several relays may share one registry).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // a clashing metric name is a programming error
	}
	return c
}

// setPending records that doc holds n pending entries.
func (m *metrics) setPending(ref docRef, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	label := ref.coll.Name()
	docs := m.counts[label]
	if docs == nil {
		docs = map[string]int{}
		m.counts[label] = docs
	}
	if n > 0 {
		docs[ref.key] = n
	} else {
		delete(docs, ref.key)
	}
	m.trackAge(label, docs)
	total := 0
	for _, pending := range docs {
		total += pending
	}
	m.backlog.WithLabelValues(label).Set(float64(total))
}

// sweptCollection records the pending entries a sweep found in the
// collection named label: pending[doc key] = entries.
func (m *metrics) sweptCollection(label string, pending map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[label] = pending
	m.trackAge(label, pending)
	total := 0
	for _, n := range pending {
		total += n
	}
	m.backlog.WithLabelValues(label).Set(float64(total))
}

// observePhase records that phase took d for a document of coll.
func (m *metrics) observePhase(coll, phase string, d time.Duration) {
	m.phase.WithLabelValues(coll, phase).Observe(d.Seconds())
}
