package health

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// ReadyGauge is mercato_service_ready: 1 while every readiness check
// passes (what /readyz answers 200 for), 0 otherwise (also while
// draining). It runs the checks at scrape time, bounded by the checker's
// timeout, so a scrape reads the same verdict a readiness probe would.
func (c *Checker) ReadyGauge() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "mercato_service_ready",
		Help: "1 while every readiness check passes (/readyz would answer 200), 0 otherwise.",
	}, func() float64 {
		if ready, _ := c.Ready(context.Background()); ready {
			return 1
		}
		return 0
	})
}
