package outbox

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ageDesc is mercato_outbox_oldest_entry_age_seconds{collection}: how long
// the longest-waiting document of a collection has held unpublished
// entries, as this process saw it (a document found by the first sweep
// after a restart counts from that sweep). 0 when nothing is pending.
var ageDesc = prometheus.NewDesc("mercato_outbox_oldest_entry_age_seconds",
	"Seconds the longest-pending outbox entry of a collection has waited since this process first saw it; 0 when none is pending.",
	[]string{"collection"}, nil)

// ageCollector reports the oldest-entry age of every collection at scrape
// time, from the first-seen times the metrics keep.
type ageCollector struct{ m *metrics }

func (a ageCollector) Describe(ch chan<- *prometheus.Desc) { ch <- ageDesc }

func (a ageCollector) Collect(ch chan<- prometheus.Metric) {
	a.m.mu.Lock()
	defer a.m.mu.Unlock()
	now := time.Now()
	for label := range a.m.counts {
		age := 0.0
		for _, seen := range a.m.firstSeen[label] {
			age = max(age, now.Sub(seen).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, age, label)
	}
}

// trackAge updates the first-seen times of label's documents to match
// pending (document key -> entries); m.mu must be held.
func (m *metrics) trackAge(label string, pending map[string]int) {
	if m.firstSeen == nil {
		m.firstSeen = map[string]map[string]time.Time{}
	}
	seen := m.firstSeen[label]
	next := make(map[string]time.Time, len(pending))
	now := time.Now()
	for key, n := range pending {
		if n <= 0 {
			continue
		}
		if t, ok := seen[key]; ok {
			next[key] = t
		} else {
			next[key] = now
		}
	}
	m.firstSeen[label] = next
}
