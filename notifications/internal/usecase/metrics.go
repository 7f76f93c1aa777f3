package usecase

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/metrics"
)

// The notifications service's metrics. Labels are small fixed sets: the
// kinds of email, the outcomes (sent, retried, failed, suppressed).
var (
	emailsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mercato_notifications_emails_total",
		Help: "Email send attempts by kind and outcome: sent, retried (a 4xx reply, a network error, a recipient not yet known), failed (a 5xx reply or retries ran out), suppressed (the user turned the kind off).",
	}, []string{"kind", "outcome"})
	webhooksTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mercato_notifications_webhook_deliveries_total",
		Help: "Webhook delivery attempts by event type and outcome: sent (2xx), retried, failed (retries ran out or the webhook was deleted).",
	}, []string{"event_type", "outcome"})
	emailLatency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "mercato_notifications_email_delay_seconds",
		Help:    "Time from a notification's creation to the SMTP server's acceptance.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 3600},
	})
)

// RegisterMetrics adds the service's metrics to reg; registering them again
// on the same registry is a no-op.
func RegisterMetrics(reg prometheus.Registerer) error {
	return metrics.RegisterAll(reg, emailsTotal, webhooksTotal, emailLatency)
}

func observeSent(created time.Time) { emailLatency.Observe(time.Since(created).Seconds()) }
