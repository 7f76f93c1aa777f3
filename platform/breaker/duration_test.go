package breaker

import (
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// callCount is the sample count of mercato_breaker_call_duration_seconds
// for the breaker name.
func callCount(t *testing.T, reg *prometheus.Registry, name string) uint64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "mercato_breaker_call_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == name {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}

func TestCallDurationCountsCallsSentButNotRejected(t *testing.T) {
	srv := newCountingServer(t, http.StatusInternalServerError)
	reg := prometheus.NewRegistry()
	tr := NewTransport(nil, Options{Name: "orders", ConsecutiveFailures: 2, OpenFor: time.Minute, Registerer: reg})
	for range 2 {
		resp, err := get(t, tr, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	if _, err := get(t, tr, srv.URL); err == nil {
		t.Fatal("the open breaker let a call through")
	}
	if got := callCount(t, reg, "orders"); got != 2 {
		t.Fatalf("timed calls = %d, want the 2 sent (the rejected one is not timed)", got)
	}
}
