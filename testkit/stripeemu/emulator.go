// Package stripeemu is a local Stripe emulator for Mercato's embedded
// default and tests (docs/architecture.md, "Modules"). It keeps state in memory and speaks enough
// of Stripe's API, as stripe-go v76 uses it, for the payments service:
// PaymentIntents (create with confirm=true, confirm, retrieve, cancel),
// refunds, Stripe's test payment methods, the API-key check, Stripe's
// idempotency semantics, and signed webhooks delivered with retries.
//
// Switches under /_emulator/ (and the Faults methods) inject latency, 5xx
// answers and duplicate webhook deliveries; /_emulator/orders/{order_id}
// lists the charges and refunds of an order, so tests can count charges.
package stripeemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults of Options.
const (
	// DefaultAddr is the emulator's well-known address (stripe-mock's port).
	DefaultAddr = "127.0.0.1:12111"
	// DefaultSecretKey is the test secret key the emulator accepts.
	DefaultSecretKey = "sk_test_mercato_emulator" //nolint:gosec // G101: the local emulator's published test key, not a credential
	// DefaultWebhookSecret signs the webhooks (Stripe-Signature).
	DefaultWebhookSecret = "whsec_mercato_emulator" //nolint:gosec // G101: the local emulator's published test secret
	// APIVersion is the API version of every response and event: the one
	// stripe-go v76 pins (stripe.APIVersion), which webhook.ConstructEvent
	// requires of an event.
	APIVersion = "2023-10-16"
)

// Options configure Start. Zero values take the defaults.
type Options struct {
	// Addr to listen on (default DefaultAddr); port 0 picks a free port.
	Addr string
	// SecretKey is the only API key accepted (default DefaultSecretKey).
	SecretKey string
	// WebhookSecret signs webhook deliveries (default DefaultWebhookSecret).
	WebhookSecret string
	// WebhookURL receives every event; empty keeps events undelivered
	// until SetWebhookURL.
	WebhookURL string
	// WebhookRetryMin is the pause before the first redelivery after a
	// failed one; it doubles up to WebhookRetryMax (defaults 500 ms, 30 s).
	WebhookRetryMin time.Duration
	WebhookRetryMax time.Duration
	// WebhookMaxAttempts bounds the deliveries of one event (default 10).
	WebhookMaxAttempts int
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (o *Options) applyDefaults() {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.SecretKey == "" {
		o.SecretKey = DefaultSecretKey
	}
	if o.WebhookSecret == "" {
		o.WebhookSecret = DefaultWebhookSecret
	}
	if o.WebhookRetryMin <= 0 {
		o.WebhookRetryMin = 500 * time.Millisecond
	}
	if o.WebhookRetryMax <= 0 {
		o.WebhookRetryMax = 30 * time.Second
	}
	if o.WebhookMaxAttempts <= 0 {
		o.WebhookMaxAttempts = 10
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Emulator is a running Stripe emulator.
type Emulator struct {
	opts     Options
	log      *slog.Logger
	listener net.Listener
	server   *http.Server
	faults   *faultSwitch
	hooks    *webhooks

	mu      sync.Mutex // guards the state below; held for a whole API call
	intents map[string]*paymentIntent
	charges map[string]*charge
	refunds map[string]*refund
	events  map[string][]byte // event id -> JSON
	idem    map[string]*idempotentResult
	order   []string // PaymentIntent ids in creation order
}

// Start listens on opts.Addr and serves until Close.
func Start(opts Options) (*Emulator, error) {
	opts.applyDefaults()
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("stripe emulator: listen %s: %w", opts.Addr, err)
	}
	e := New(opts)
	e.listener = ln
	e.server = &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := e.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("stripe emulator stopped serving", "error", err)
		}
	}()
	e.log.Info("stripe emulator listening", "url", e.URL())
	return e, nil
}

// New returns an emulator that is not listening: serve its Handler
// yourself (for example with httptest). Start is the usual way.
func New(opts Options) *Emulator {
	opts.applyDefaults()
	log := opts.Logger.With("component", "stripe-emulator")
	return &Emulator{
		opts:    opts,
		log:     log,
		faults:  &faultSwitch{},
		hooks:   newWebhooks(opts, log),
		intents: map[string]*paymentIntent{},
		charges: map[string]*charge{},
		refunds: map[string]*refund{},
		events:  map[string][]byte{},
		idem:    map[string]*idempotentResult{},
	}
}

// URL is the API base URL, such as "http://127.0.0.1:12111" (STRIPE_API_URL
// of the payments service). Empty for an emulator made with New.
func (e *Emulator) URL() string {
	if e.listener == nil {
		return ""
	}
	return "http://" + e.listener.Addr().String()
}

// SecretKey is the API key the emulator accepts.
func (e *Emulator) SecretKey() string { return e.opts.SecretKey }

// WebhookSecret is the secret that signs webhooks.
func (e *Emulator) WebhookSecret() string { return e.opts.WebhookSecret }

// SetWebhookURL changes where events are delivered from now on.
func (e *Emulator) SetWebhookURL(url string) { e.hooks.setURL(url) }

// Close stops serving and abandons pending webhook deliveries.
func (e *Emulator) Close() error {
	e.hooks.close()
	if e.server == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := e.server.Shutdown(ctx); err != nil {
		return fmt.Errorf("stripe emulator: close: %w", err)
	}
	return nil
}

// Handler serves the API (/v1/...) and the switches (/_emulator/...).
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern string, h apiHandler) { mux.Handle(pattern, e.apiCall(h)) }
	api("POST /v1/payment_intents", e.createPaymentIntent)
	api("GET /v1/payment_intents/{id}", e.retrievePaymentIntent)
	api("POST /v1/payment_intents/{id}/confirm", e.confirmPaymentIntent)
	api("POST /v1/payment_intents/{id}/cancel", e.cancelPaymentIntent)
	api("POST /v1/refunds", e.createRefund)
	api("GET /v1/refunds/{id}", e.retrieveRefund)
	api("GET /v1/charges/{id}", e.retrieveCharge)
	api("GET /v1/events/{id}", e.retrieveEvent)
	mux.Handle("/v1/", e.apiCall(unknownURL))
	e.adminRoutes(mux)
	return mux
}
