// Command catalog runs Mercato's catalog service: merchant-owned products, search, inventory and reservations.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/api"
	"github.com/mercato-shop/mercato/catalog/internal/consumer"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
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
	// ReadModelSnapshotInterval is how often the read model is saved as a
	// snapshot (when it changed), so the next start reads a few documents
	// instead of every product; 0 turns snapshots off.
	ReadModelSnapshotInterval time.Duration `env:"READ_MODEL_SNAPSHOT_INTERVAL" envDefault:"30s"`
	// ReadModelRefresh reloads the whole read model from the store this
	// often: a safety net only, since every replica follows catalog.events
	// for the writes of the others; 0 (the default) turns it off.
	ReadModelRefresh time.Duration `env:"READ_MODEL_REFRESH" envDefault:"0s"`
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "catalog",
		DefaultAddr: ":8082",
		Config:      &cfg,
		Topics:      []string{events.TopicCatalog, events.TopicOrders},
	}, func(ctx context.Context, app *service.App) error { return setup(ctx, app, cfg) })
}

func setup(ctx context.Context, app *service.App, cfg Config) error {
	st := store.New(app.Store, app.Relay)
	if err := st.EnsureIndexes(ctx); err != nil {
		return err
	}
	if err := usecase.RegisterMetrics(app.Registry); err != nil {
		return err
	}
	model := readmodel.New(api.RenderPublic)
	svc := usecase.New(usecase.Options{Store: st, Model: model, Currency: cfg.StoreCurrency, HoldTTL: cfg.HoldTTL, Logger: app.Logger})
	// The model is complete before the server listens: a snapshot (or every
	// product) plus every catalog.events event published before start-up.
	follower := consumer.NewFollower(consumer.FollowerConfig{Brokers: cfg.KafkaBrokers, Service: svc, Logger: app.Logger})
	loaded, err := follower.Start(ctx, cfg.ReadModelSnapshotInterval > 0)
	if err != nil {
		return fmt.Errorf("load read model: %w", err)
	}
	app.Logger.Info("read model loaded", "from", loaded.Source, "products", loaded.Products, "replayed_events", loaded.Replayed, "took", loaded.Took.String())
	app.Go(follower.Run)
	if cfg.ReadModelSnapshotInterval > 0 {
		app.Go(func(ctx context.Context) { follower.RunSnapshots(ctx, cfg.ReadModelSnapshotInterval, loaded) })
	}

	api.Register(app.Router(), svc, model, app.Auth)
	app.ConsumeEvents(consumer.Handlers(svc), events.TopicOrders)
	app.Go(func(ctx context.Context) { svc.RunExpirySweeper(ctx, cfg.HoldSweepInterval) })
	if cfg.ReadModelRefresh > 0 {
		app.Go(func(ctx context.Context) { svc.RunReadModelRefresh(ctx, cfg.ReadModelRefresh) })
	}
	return nil
}
