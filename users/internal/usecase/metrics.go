package usecase

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/metrics"
)

// Login results, the result label of mercato_users_logins_total.
const (
	loginSucceeded = "success"
	loginInvalid   = "invalid_credentials"
	loginThrottled = "throttled"
)

// logins is mercato_users_logins_total{result}.
var logins = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "mercato_users_logins_total",
	Help: "Login attempts by result: success, invalid_credentials, throttled (refused while an account or client is locked out).",
}, []string{"result"})

// RegisterMetrics adds the login metrics to reg (the service's registry).
// Registering them again on the same registry is a no-op.
func RegisterMetrics(reg prometheus.Registerer) error {
	if err := metrics.RegisterAll(reg, logins); err != nil {
		return err
	}
	for _, r := range []string{loginSucceeded, loginInvalid, loginThrottled} {
		logins.WithLabelValues(r) // export zeros, so rates exist before the first event
	}
	return nil
}

// countLogin counts one login attempt with result.
func countLogin(result string) { logins.WithLabelValues(result).Inc() }
