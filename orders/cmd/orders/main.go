// Command orders runs Mercato's orders service: carts, checkout and the checkout saga.
package main

import (
	"context"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/api"
	"github.com/mercato-shop/mercato/orders/internal/catalogclient"
	"github.com/mercato-shop/mercato/orders/internal/consumer"
	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/orders/internal/usecase"
	"github.com/mercato-shop/mercato/orders/internal/usersclient"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the orders service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
	config.Auth
	// CatalogURL is the catalog service's base URL (product checks, prices).
	CatalogURL string `env:"CATALOG_URL" envDefault:"http://127.0.0.1:8082"`
	// CatalogTimeout bounds each call to the catalog.
	CatalogTimeout time.Duration `env:"CATALOG_TIMEOUT" envDefault:"2s"`
	// CatalogBreakerFailures opens the catalog breaker after that many
	// failed calls in a row.
	CatalogBreakerFailures uint32 `env:"CATALOG_BREAKER_FAILURES" envDefault:"5"`
	// CatalogBreakerOpenFor is how long the open breaker fails calls fast.
	CatalogBreakerOpenFor time.Duration `env:"CATALOG_BREAKER_OPEN_FOR" envDefault:"5s"`
	// UsersURL is the users service's base URL (the shopper's default
	// address at checkout; its breaker takes the platform/breaker defaults).
	UsersURL string `env:"USERS_URL" envDefault:"http://127.0.0.1:8081"`
	// OrderStepTimeout is the deadline of every waiting saga state.
	OrderStepTimeout time.Duration `env:"ORDER_STEP_TIMEOUT" envDefault:"10m"`
	// OrderSweepInterval is how often orders past their deadline are sought.
	OrderSweepInterval time.Duration `env:"ORDER_SWEEP_INTERVAL" envDefault:"15s"`
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "orders",
		DefaultAddr: ":8083",
		Config:      &cfg,
		Topics:      []string{events.TopicOrders, events.TopicCatalog, events.TopicPayments},
	}, func(ctx context.Context, app *service.App) error { return setup(ctx, app, cfg) })
}

// setup wires the stores, the catalog and users clients, the API, the saga consumer
// and the deadline sweeper. (The merchant dashboard lives in the analytics
// service.)
func setup(ctx context.Context, app *service.App, cfg Config) error {
	orders, carts, err := store.Open(ctx, app.Store, app.Relay)
	if err != nil {
		return err
	}
	cat := catalogclient.New(cfg.CatalogURL, breaker.Options{
		Name:                "catalog",
		Timeout:             cfg.CatalogTimeout,
		ConsecutiveFailures: cfg.CatalogBreakerFailures,
		OpenFor:             cfg.CatalogBreakerOpenFor,
		Registerer:          app.Registry,
		Logger:              app.Logger,
	})
	users := usersclient.New(cfg.UsersURL, breaker.Options{
		Name:       "users",
		Registerer: app.Registry,
		Logger:     app.Logger,
	})
	if err := usecase.RegisterMetrics(app.Registry); err != nil {
		return err
	}
	codes, rates := store.OpenPricing(app.Store)
	svc := usecase.New(orders, carts, cat, usecase.Options{StepTimeout: cfg.OrderStepTimeout, Logger: app.Logger,
		Codes: codes, Rates: rates, Users: users})
	api.Register(app.Router(), svc, app.Auth)

	app.ConsumeEvents(consumer.Handlers(svc), consumer.Topics...)
	app.Go(func(ctx context.Context) { svc.RunDeadlineSweeper(ctx, cfg.OrderSweepInterval) })
	return nil
}
