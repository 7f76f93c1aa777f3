package health

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestReadyGaugeReadsTheChecks(t *testing.T) {
	failing := false
	c := NewChecker(0, Check{Name: "store", Probe: func(context.Context) error {
		if failing {
			return errors.New("down")
		}
		return nil
	}})
	gauge := c.ReadyGauge()
	reg := prometheus.NewRegistry()
	reg.MustRegister(gauge)
	if got := testutil.ToFloat64(gauge); got != 1 {
		t.Fatalf("ready gauge %v with a passing check, want 1", got)
	}
	failing = true
	if got := testutil.ToFloat64(gauge); got != 0 {
		t.Fatalf("ready gauge %v with a failing check, want 0", got)
	}
	failing = false
	c.SetDraining(true)
	if got := testutil.ToFloat64(gauge); got != 0 {
		t.Fatalf("ready gauge %v while draining, want 0", got)
	}
}
