// Command payments runs Mercato's payments service: Stripe PaymentIntents, refunds and webhooks.
package main

import (
	"context"
	"errors"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/api"
	"github.com/mercato-shop/mercato/payments/internal/consumer"
	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/store"
	"github.com/mercato-shop/mercato/payments/internal/stripeapi"
	"github.com/mercato-shop/mercato/payments/internal/usecase"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the payments service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
	config.Auth
	// StripeSecretKey is the Stripe API key (sk_test_... or sk_live_...).
	StripeSecretKey string `env:"STRIPE_SECRET_KEY,required" secret:"true"`
	// StripeWebhookSecret verifies Stripe-Signature (whsec_...).
	StripeWebhookSecret string `env:"STRIPE_WEBHOOK_SECRET,required" secret:"true"`
	// StripeAPIURL is Stripe's API, or stripe-mock's or the emulator's.
	StripeAPIURL string `env:"STRIPE_API_URL" envDefault:"https://api.stripe.com"`
	// StripeTimeout bounds each Stripe call.
	StripeTimeout time.Duration `env:"STRIPE_TIMEOUT" envDefault:"10s"`
	// StripeBreakerFailures opens the breaker after that many failures in a row.
	StripeBreakerFailures uint32 `env:"STRIPE_BREAKER_FAILURES" envDefault:"5"`
	// StripeBreakerOpenFor is how long an open breaker fails fast.
	StripeBreakerOpenFor time.Duration `env:"STRIPE_BREAKER_OPEN_FOR" envDefault:"5s"`
	// RetryMin and RetryMax space the retries while Stripe is unavailable.
	RetryMin time.Duration `env:"PAYMENTS_RETRY_MIN" envDefault:"1s"`
	RetryMax time.Duration `env:"PAYMENTS_RETRY_MAX" envDefault:"30s"`
	// RetrySweepInterval is how often due retries are looked for.
	RetrySweepInterval time.Duration `env:"PAYMENTS_RETRY_SWEEP_INTERVAL" envDefault:"1s"`
	// StripeEventRetention is how long processed webhook event ids are kept
	// for deduplication (Stripe retries a delivery for up to three days).
	StripeEventRetention time.Duration `env:"STRIPE_EVENT_RETENTION" envDefault:"168h"`
}

// Validate checks the rules env tags cannot express.
func (c *Config) Validate() error {
	if c.StripeEventRetention < 72*time.Hour {
		return errors.New("STRIPE_EVENT_RETENTION must be at least 72h: Stripe retries a webhook for up to three days")
	}
	if c.StripeTimeout <= 0 || c.RetryMin <= 0 || c.RetryMax < c.RetryMin || c.RetrySweepInterval <= 0 {
		return errors.New("STRIPE_TIMEOUT, PAYMENTS_RETRY_MIN, PAYMENTS_RETRY_SWEEP_INTERVAL must be positive and PAYMENTS_RETRY_MAX >= PAYMENTS_RETRY_MIN")
	}
	return nil
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "payments",
		DefaultAddr: ":8084",
		Config:      &cfg,
		Topics:      []string{events.TopicPayments, events.TopicOrders},
	}, func(ctx context.Context, app *service.App) error { return setup(ctx, app, &cfg) })
}

func setup(ctx context.Context, app *service.App, cfg *Config) error {
	st := store.New(app.Store, app.Relay)
	if err := st.EnsureIndexes(ctx); err != nil {
		return err
	}
	if err := stripeapi.RegisterMetrics(app.Registry); err != nil {
		return err
	}
	stripeClient := stripeapi.New(stripeapi.Options{
		APIURL:    cfg.StripeAPIURL,
		SecretKey: cfg.StripeSecretKey,
		Timeout:   cfg.StripeTimeout,
		Breaker: breaker.Options{ConsecutiveFailures: cfg.StripeBreakerFailures, OpenFor: cfg.StripeBreakerOpenFor,
			Registerer: app.Registry, Logger: app.Logger},
		Logger: app.Logger,
	})
	svc := usecase.New(st, stripeClient, usecase.Options{
		Retry:  domain.RetryPolicy{Min: cfg.RetryMin, Max: cfg.RetryMax},
		Lease:  3 * cfg.StripeTimeout,
		Logger: app.Logger,
	})
	api.Register(app.Router(), svc, app.Auth, cfg.StripeWebhookSecret, app.Logger)
	app.ConsumeEvents(consumer.Handlers(svc), events.TopicOrders)
	app.Go(func(ctx context.Context) {
		service.Every(ctx, cfg.RetrySweepInterval, app.Logger, "payment retry sweep", func(ctx context.Context) error {
			_, err := svc.RetryDue(ctx)
			return err
		})
	})
	// Stripe retries a webhook for up to three days; older event ids are
	// forgotten so the deduplication collection stays bounded.
	app.Go(func(ctx context.Context) {
		service.Every(ctx, time.Hour, app.Logger, "stripe event pruning", func(ctx context.Context) error {
			n, err := st.PruneWebhooks(ctx, time.Now().Add(-cfg.StripeEventRetention))
			if n > 0 {
				app.Logger.InfoContext(ctx, "pruned stripe events", "removed", n)
			}
			return err
		})
	})
	return nil
}
