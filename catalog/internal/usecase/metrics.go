package usecase

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/metrics"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// lastLoad is when the read model was last loaded; nil before.
var lastLoad atomic.Pointer[time.Time]

// The catalog's stock metrics. Labels are fixed outcomes, never product
// or order ids.
var (
	reservations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mercato_catalog_reservations_total",
		Help: "Orders whose stock the catalog tried to hold, by outcome (reserved, rejected).",
	}, []string{"outcome"})
	holdsExpired = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "mercato_catalog_holds_expired_total",
		Help: "Reservations released by the expiry sweep because their hold ran out.",
	})
	readModelLoaded = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "mercato_catalog_read_model_last_load_timestamp_seconds",
		Help: "Unix time the in-memory read model was last reloaded from the store.",
	})
	readModelProducts = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "mercato_catalog_read_model_products",
		Help: "Products read from the store by the last read-model load.",
	})
	readModelAge = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "mercato_catalog_read_model_age_seconds",
		Help: "Seconds since the read model was last reloaded from the store (its own writes apply at once).",
	}, func() float64 {
		loaded := lastLoad.Load()
		if loaded == nil {
			return 0
		}
		return time.Since(*loaded).Seconds()
	})
)

// RegisterMetrics adds the catalog's metrics to reg (the service's
// registry). Registering them again on the same registry is a no-op.
func RegisterMetrics(reg prometheus.Registerer) error {
	return metrics.RegisterAll(reg, reservations, holdsExpired, readModelLoaded, readModelProducts, readModelAge)
}

// observeReservation counts a recorded reservation outcome.
func observeReservation(state domain.ReservationState, err error) {
	if err == nil {
		reservations.WithLabelValues(string(state)).Inc()
	}
}

// observeLoad records a read-model load of n products.
func observeLoad(n int) {
	now := time.Now()
	lastLoad.Store(&now)
	readModelLoaded.Set(float64(now.Unix()))
	readModelProducts.Set(float64(n))
}
