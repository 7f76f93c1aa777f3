// Command catalog runs Mercato's catalog service: merchant-owned products, search, inventory and reservations.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/api"
	"github.com/mercato-shop/mercato/catalog/internal/catalog"
	"github.com/mercato-shop/mercato/catalog/internal/consumer"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the catalog service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
	config.Auth
	// StoreCurrency is the currency every price must be in.
	StoreCurrency string `env:"STORE_CURRENCY" envDefault:"USD"`
	// HoldTTL is how long a reservation holds units before it expires.
	HoldTTL time.Duration `env:"HOLD_TTL" envDefault:"15m"`
	// HoldSweepInterval is how often expired holds are looked for.
	HoldSweepInterval time.Duration `env:"HOLD_SWEEP_INTERVAL" envDefault:"30s"`
	// ReadModelRefresh reloads the in-memory read model from the store this
	// often, for the writes of other replicas; 0 (one replica) turns it off.
	ReadModelRefresh time.Duration `env:"READ_MODEL_REFRESH" envDefault:"0s"`
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "catalog",
		DefaultAddr: ":8082",
		Config:      &cfg,
		Common:      &cfg.Common,
		Mongo:       &cfg.Mongo,
		Kafka:       &cfg.Kafka,
		Auth:        &cfg.Auth,
		Topics:      []string{events.TopicCatalog, events.TopicOrders},
	}, func(ctx context.Context, app *service.App) error { return setup(ctx, app, cfg) })
}

func setup(ctx context.Context, app *service.App, cfg Config) error {
	st := store.New(app.Store, app.Relay)
	if err := st.EnsureIndexes(ctx); err != nil {
		return err
	}
	model := readmodel.New(api.RenderPublic)
	svc := catalog.New(catalog.Options{Store: st, Model: model, Currency: cfg.StoreCurrency, HoldTTL: cfg.HoldTTL, Logger: app.Logger})
	started := time.Now()
	n, err := svc.LoadReadModel(ctx)
	if err != nil {
		return fmt.Errorf("load read model: %w", err)
	}
	app.Logger.Info("read model loaded", "products", n, "took", time.Since(started).String())

	api.Register(app.Router(), svc, model, app.Auth)
	app.ConsumeEvents(consumer.Handlers(svc), events.TopicOrders)
	app.Go(func(ctx context.Context) { svc.RunExpirySweeper(ctx, cfg.HoldSweepInterval) })
	if cfg.ReadModelRefresh > 0 {
		app.Go(func(ctx context.Context) { svc.RunReadModelRefresh(ctx, cfg.ReadModelRefresh) })
	}
	return nil
}
