package outbox

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ageOf gathers mercato_outbox_oldest_entry_age_seconds of collection;
// ok is false when the series is absent.
func ageOf(t *testing.T, reg *prometheus.Registry, collection string) (float64, bool) {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "mercato_outbox_oldest_entry_age_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == collection {
				return m.GetGauge().GetValue(), true
			}
		}
	}
	return 0, false
}

func TestOldestEntryAgeFollowsTheFirstSightingOfEachPendingDocument(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	m.sweptCollection("orders", map[string]int{"a": 2})
	m.mu.Lock()
	firstA := m.firstSeen["orders"]["a"]
	m.firstSeen["orders"]["a"] = firstA.Add(-time.Minute) // as if seen a minute ago
	m.mu.Unlock()

	if age, ok := ageOf(t, reg, "orders"); !ok || age < 60 || age > 120 {
		t.Fatalf("age %v (present %t), want about 60 s", age, ok)
	}
	// A later sweep that still finds a, and a new b, keeps a's first sighting.
	m.sweptCollection("orders", map[string]int{"a": 1, "b": 1})
	if age, _ := ageOf(t, reg, "orders"); age < 60 {
		t.Fatalf("age %v after a second sweep, want a's age kept", age)
	}
	// Published: the series stays, at 0.
	m.sweptCollection("orders", map[string]int{})
	if age, ok := ageOf(t, reg, "orders"); !ok || age != 0 {
		t.Fatalf("age %v (present %t) with nothing pending, want 0", age, ok)
	}
}
