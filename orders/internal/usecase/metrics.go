package usecase

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/metrics"

	"github.com/mercato-shop/mercato/orders/internal/domain"
)

// The checkout saga's metrics. Label values are statuses and cancel
// reasons, small fixed sets; never order or shopper ids.
var (
	ordersPlaced = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "mercato_orders_placed_total",
		Help: "Orders created by a checkout (they start pending).",
	})
	orderTransitions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mercato_orders_transitions_total",
		Help: "Order status changes, by the status left and the status entered.",
	}, []string{"from", "to"})
	orderStateDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mercato_orders_state_duration_seconds",
		Help:    "Time an order spent in a status (since its last change) when it left it.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
	}, []string{"state"})
	ordersCancelled = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mercato_orders_cancelled_total",
		Help: "Orders cancelled, by reason.",
	}, []string{"reason"})
	deadlineSweeps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mercato_orders_deadline_sweeps_total",
		Help: "Runs of the deadline sweep, by result (ok, error).",
	}, []string{"result"})
	deadlineSwept = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "mercato_orders_deadline_swept_total",
		Help: "Orders past their deadline that a sweep handled (cancelled with reason timeout unless they moved on first).",
	})
	ordersOverdue = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "mercato_orders_overdue",
		Help: "Waiting orders past their deadline found at the start of the last deadline sweep (at most one batch).",
	})
	deadlineSweepLastSuccess = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "mercato_orders_deadline_sweep_last_success_timestamp_seconds",
		Help: "Unix time of the last deadline sweep that finished without error.",
	})
)

// RegisterMetrics adds the saga's metrics to reg (the service's registry).
// Registering them again on the same registry is a no-op.
func RegisterMetrics(reg prometheus.Registerer) error {
	return metrics.RegisterAll(reg, ordersPlaced, orderTransitions, orderStateDuration, ordersCancelled, deadlineSweeps, deadlineSwept, ordersOverdue, deadlineSweepLastSuccess)
}

// observePlaced counts a new order.
func observePlaced() { ordersPlaced.Inc() }

// observeChange counts a written change from before to after, at now.
func observeChange(before, after domain.Order, now time.Time) {
	if before.Status == after.Status {
		return
	}
	orderTransitions.WithLabelValues(string(before.Status), string(after.Status)).Inc()
	since := before.UpdatedAt
	if since.IsZero() {
		since = before.CreatedAt
	}
	if !since.IsZero() {
		orderStateDuration.WithLabelValues(string(before.Status)).Observe(max(now.Sub(since), 0).Seconds())
	}
	if after.Status == domain.StatusCancelled {
		ordersCancelled.WithLabelValues(after.CancelReason).Inc()
	}
}

// observeSweep records one deadline sweep that handled swept orders.
func observeSweep(swept int, err error, now time.Time) {
	deadlineSwept.Add(float64(swept))
	if err != nil {
		deadlineSweeps.WithLabelValues("error").Inc()
		return
	}
	deadlineSweeps.WithLabelValues("ok").Inc()
	deadlineSweepLastSuccess.Set(float64(now.Unix()))
}
