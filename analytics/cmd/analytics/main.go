// Command analytics runs Mercato's analytics service: it consumes the
// storefront's behaviour events (analytics.ingest) and the sales events of
// orders and payments, keeps per merchant and minute the figures of the
// merchant dashboard, and serves that dashboard, its live stream and the
// sales reports.
package main

import (
	"context"
	"time"

	"github.com/mercato-shop/mercato/analytics/internal/api"
	"github.com/mercato-shop/mercato/analytics/internal/consumer"
	"github.com/mercato-shop/mercato/analytics/internal/store"
	"github.com/mercato-shop/mercato/analytics/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the analytics service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
	config.Auth
	// StreamRefresh is how often an open dashboard stream looks for
	// figures changed by another instance.
	StreamRefresh time.Duration `env:"ANALYTICS_STREAM_REFRESH" envDefault:"500ms"`
	// IngestBatchWait is how long a fetched batch of behaviour messages
	// waits for more before it is applied.
	IngestBatchWait time.Duration `env:"ANALYTICS_INGEST_BATCH_WAIT" envDefault:"20ms"`
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "analytics",
		DefaultAddr: ":8086",
		Config:      &cfg,
		Topics:      []string{events.TopicAnalyticsIngest, events.TopicAnalytics},
	}, func(ctx context.Context, app *service.App) error { return setup(app, cfg) })
}

// setup wires the store, the two consumers and the API.
func setup(app *service.App, cfg Config) error {
	st := store.New(app.Store.Read, app.Store.Write)
	svc := usecase.New(st, nil, app.Logger)
	app.ConsumeEvents(consumer.Handlers(svc), consumer.SalesTopics...)
	ingest := consumer.NewIngest(consumer.IngestOptions{
		Brokers:    cfg.KafkaBrokers,
		Service:    svc,
		DLQ:        app.Publisher,
		BatchWait:  cfg.IngestBatchWait,
		Logger:     app.Logger,
		Registerer: app.Registry,
	})
	app.Go(ingest.Run)
	api.Register(app.Router().Group("", app.Auth.Require()), svc, api.Options{RefreshInterval: cfg.StreamRefresh})
	// Open dashboards must not hold up a graceful shutdown.
	app.Go(func(ctx context.Context) { <-ctx.Done(); svc.Hub().Close() })
	return nil
}
