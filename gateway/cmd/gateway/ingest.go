package main

import (
	"context"
	"time"

	"github.com/mercato-shop/mercato/gateway/internal/ingest"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/service"
)

// IngestConfig configures the behaviour-event ingestion (POST /api/v1/events).
type IngestConfig struct {
	// KafkaBrokers are the brokers analytics.ingest lives on.
	KafkaBrokers []string `env:"KAFKA_BROKERS" envDefault:"127.0.0.1:9092" envSeparator:","`
	// KafkaPartitions and KafkaReplicationFactor apply when the gateway
	// creates analytics.ingest (it exists already when analytics started first).
	KafkaPartitions        int `env:"KAFKA_PARTITIONS" envDefault:"12"`
	KafkaReplicationFactor int `env:"KAFKA_REPLICATION_FACTOR" envDefault:"1"`
	// MaxEvents caps the events of one batch (413 beyond).
	MaxEvents int `env:"INGEST_MAX_EVENTS" envDefault:"100"`
	// MaxBodyBytes caps one request body (413 beyond).
	MaxBodyBytes int64 `env:"INGEST_MAX_BODY_BYTES" envDefault:"65536"`
	// SessionRate and SessionBurst limit the batches per second of one
	// session, per gateway replica (429 beyond).
	SessionRate  float64 `env:"INGEST_SESSION_RATE" envDefault:"20"`
	SessionBurst int     `env:"INGEST_SESSION_BURST" envDefault:"40"`
	// MaxFuture is the clock skew allowed on an event's time.
	MaxFuture time.Duration `env:"INGEST_MAX_FUTURE" envDefault:"1m"`
}

// setupIngest creates analytics.ingest if it is missing, opens a writer on
// it and mounts the endpoint. It never fails the gateway's start: the shop
// must not depend on analytics.
func setupIngest(app *service.App, cfg IngestConfig) {
	// In the background: the gateway serves the shop without analytics,
	// and the analytics service creates the topic too; until it exists the
	// endpoint answers 503.
	app.Go(func(ctx context.Context) { ensureIngestTopic(ctx, app, cfg) })
	writer := kafka.NewWriter(cfg.KafkaBrokers, kafka.WithBatchTimeout(2*time.Millisecond))
	app.OnClose(func() {
		if err := writer.Close(); err != nil {
			app.Logger.Warn("close ingest writer", "error", err.Error())
		}
	})
	h := ingest.New(ingest.Options{
		Publisher:    writer,
		MaxEvents:    cfg.MaxEvents,
		MaxBodyBytes: cfg.MaxBodyBytes,
		SessionRate:  cfg.SessionRate,
		SessionBurst: cfg.SessionBurst,
		MaxFuture:    cfg.MaxFuture,
		Logger:       app.Logger,
		Registerer:   app.Registry,
	})
	// No readiness check on the broker: the storefront must not go down
	// with analytics; a write that fails answers 503 on this endpoint only.
	h.Register(app.Router())
}

// ensureIngestTopic creates analytics.ingest, trying again every few
// seconds until it succeeds or ctx ends.
func ensureIngestTopic(ctx context.Context, app *service.App, cfg IngestConfig) {
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := kafka.EnsureTopics(attemptCtx, cfg.KafkaBrokers, cfg.KafkaPartitions, cfg.KafkaReplicationFactor, events.TopicAnalyticsIngest)
		cancel()
		if err == nil || ctx.Err() != nil {
			return
		}
		app.Logger.Warn("ingest: cannot create analytics.ingest yet", "error", err.Error())
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
		}
	}
}
