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
		counts: map[string]map[string]int{},
	}
	if reg != nil {
		m.backlog = register(reg, m.backlog)
		m.published = register(reg, m.published)
		m.publishErrors = register(reg, m.publishErrors)
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
