// Package stripeapi is the payments service's adapter to Stripe through
// stripe-go v76: PaymentIntents and refunds with idempotency keys, every
// call through a circuit breaker and a deadline, and webhook verification.
// The same code talks to Stripe, to stripe-mock and to the emulator: only
// the API URL differs.
package stripeapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/sony/gobreaker"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/paymentintent"
	"github.com/stripe/stripe-go/v76/refund"

	"github.com/mercato-shop/mercato/platform/breaker"
)

// DefaultTimeout bounds each Stripe call.
const DefaultTimeout = 10 * time.Second

// Options configure New.
type Options struct {
	// APIURL is Stripe's API base URL (https://api.stripe.com), or
	// stripe-mock's or the emulator's.
	APIURL string
	// SecretKey is the API key; it is never logged.
	SecretKey string
	// Timeout bounds each call, response body included (default 10 s).
	Timeout time.Duration
	// Breaker configures the circuit breaker; Name defaults to "stripe" and
	// Timeout (time to response headers) to Timeout.
	Breaker breaker.Options
	// Logger receives stripe-go's own messages at debug level and warnings.
	Logger *slog.Logger
}

// Client calls Stripe.
type Client struct {
	intents   paymentintent.Client
	refunds   refund.Client
	transport *breaker.Transport
	timeout   time.Duration
}

// New returns a client whose every request goes through one circuit
// breaker. stripe-go's own retries are off (it sleeps without watching the
// context); the payments service retries with the same idempotency key.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Breaker.Name == "" {
		opts.Breaker.Name = "stripe"
	}
	if opts.Breaker.Timeout <= 0 {
		opts.Breaker.Timeout = opts.Timeout
	}
	if opts.Breaker.Logger == nil {
		opts.Breaker.Logger = opts.Logger
	}
	transport := breaker.NewTransport(nil, opts.Breaker)
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(strings.TrimRight(opts.APIURL, "/")),
		HTTPClient:        &http.Client{Transport: transport},
		MaxNetworkRetries: stripe.Int64(0),
		EnableTelemetry:   stripe.Bool(false),
		LeveledLogger:     slogLogger{log: opts.Logger.With("component", "stripe-go")},
	})
	return &Client{
		intents:   paymentintent.Client{B: backend, Key: opts.SecretKey},
		refunds:   refund.Client{B: backend, Key: opts.SecretKey},
		transport: transport,
		timeout:   opts.Timeout,
	}
}

// BreakerState is the state of the Stripe circuit breaker.
func (c *Client) BreakerState() gobreaker.State { return c.transport.State() }

// callContext bounds one call.
func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}
