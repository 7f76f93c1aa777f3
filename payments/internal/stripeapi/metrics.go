package stripeapi

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/metrics"
	"github.com/stripe/stripe-go/v76"
)

// Operations, the op label of the Stripe metrics.
const (
	opCreatePaymentIntent = "create_payment_intent"
	opCreateRefund        = "create_refund"
)

// The payments service's Stripe metrics. Labels are operations and error
// kinds (Stripe's error types), small fixed sets.
var (
	stripeDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "mercato_payments_stripe_request_duration_seconds",
		Help:    "Time a Stripe API call took, by operation.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"op"})
	stripeErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mercato_payments_stripe_errors_total",
		Help: "Stripe API calls that returned an error, by operation and kind: card_error, invalid_request_error, idempotency_error, api_error, rate_limit, timeout, unavailable (network, breaker open).",
	}, []string{"op", "kind"})
	webhookVerifyFailures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "mercato_payments_webhook_verification_failures_total",
		Help: "Stripe webhooks whose signature, timestamp or API version did not verify.",
	})
)

// RegisterMetrics adds the Stripe metrics to reg (the service's registry).
// Registering them again on the same registry is a no-op.
func RegisterMetrics(reg prometheus.Registerer) error {
	return metrics.RegisterAll(reg, stripeDuration, stripeErrors, webhookVerifyFailures)
}

// observeCall records one call of op that started at start and ended with err.
func observeCall(op string, start time.Time, err error) {
	stripeDuration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if err != nil {
		stripeErrors.WithLabelValues(op, errorKind(err)).Inc()
	}
}

// errorKind classifies a Stripe call's error into a bounded label value.
func errorKind(err error) string {
	var se *stripe.Error
	switch {
	case errors.As(err, &se) && se.HTTPStatusCode == 429:
		return "rate_limit"
	case errors.As(err, &se) && se.Type != "":
		return string(se.Type)
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	default: // network, open breaker
		return "unavailable"
	}
}
