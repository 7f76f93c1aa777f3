package service

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/health"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/logging"
	"github.com/mercato-shop/mercato/platform/metrics"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// startupTimeout bounds how long start-up waits for MongoDB and Kafka.
const startupTimeout = 30 * time.Second

// App holds a running service's shared dependencies. Store, Publisher and
// Relay are nil for a service without a store or events.
type App struct {
	Name     string
	Logger   *slog.Logger
	Registry *prometheus.Registry
	Server   *httpserver.Server
	Store    *mongodb.Store
	// Publisher publishes with acknowledgements from all replicas; services
	// publish through the outbox, the consumers use it for dead letters.
	Publisher *kafka.Writer
	// Relay publishes the outbox entries of the collections it watches.
	Relay *outbox.Relay
	// Auth verifies access tokens against the users service's JWKS; nil
	// unless Spec.Auth is set.
	Auth *auth.Verifier

	spec      Spec
	consumers []kafka.ConsumerConfig
	workers   []func(ctx context.Context)
	closers   []func()
}

// Router is the service's gin engine, with /healthz, /readyz and /metrics
// already registered.
func (a *App) Router() *gin.Engine { return a.Server.Router() }

// Consume registers a consumer group (the service's name) on topics; it runs
// from Run until shutdown, when it commits what it handled.
func (a *App) Consume(handler kafka.Handler, topics ...string) {
	a.consumers = append(a.consumers, kafka.ConsumerConfig{
		Brokers:      a.spec.Kafka.KafkaBrokers,
		GroupID:      a.Name,
		Topics:       topics,
		Handler:      handler,
		DLQPublisher: a.Publisher,
		Logger:       a.Logger,
		Registerer:   a.Registry,
	})
}

// ConsumeEvents registers a consumer that dispatches CloudEvents to typed
// handlers; build them with events.NewHandlers(kafka.Permanent) and events.On.
func (a *App) ConsumeEvents(handlers *events.Handlers, topics ...string) {
	a.Consume(func(ctx context.Context, msg kafka.Message) error { return handlers.Handle(ctx, msg.Value) }, topics...)
}

// Go registers a background worker (a sweeper, a deadline watcher) that runs
// until shutdown begins.
func (a *App) Go(worker func(ctx context.Context)) { a.workers = append(a.workers, worker) }

// OnClose registers a function called after everything has stopped.
func (a *App) OnClose(fn func()) { a.closers = append(a.closers, fn) }

func newApp(ctx context.Context, spec Spec) (*App, error) {
	var logOut io.Writer = os.Stdout
	if spec.LogWriter != nil {
		logOut = spec.LogWriter
	}
	logger := logging.New(spec.Name, spec.Common.LogLevel, logOut)
	logger.Info("starting", "version", Version, "config", config.LogValue(spec.Config))
	app := &App{Name: spec.Name, Logger: logger, Registry: metrics.NewRegistry(spec.Name), spec: spec}

	var checks []health.Check
	startCtx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	if spec.Mongo != nil {
		store, err := mongodb.Connect(startCtx, *spec.Mongo, spec.Name)
		if err != nil {
			return nil, err
		}
		app.Store = store
		_ = mongodb.RegisterMetrics(app.Registry) // a fresh registry: cannot conflict
		app.OnClose(func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			store.Close(closeCtx)
		})
		checks = append(checks, health.Check{Name: "mongo", Probe: store.Ping})
	}
	if spec.Kafka != nil {
		brokers := spec.Kafka.KafkaBrokers
		topics := make([]string, 0, 2*len(spec.Topics))
		for _, t := range spec.Topics {
			topics = append(topics, t, kafka.DLQ(t))
		}
		if err := kafka.EnsureTopics(startCtx, brokers, spec.Kafka.KafkaPartitions, spec.Kafka.KafkaReplicationFactor, topics...); err != nil {
			app.close()
			return nil, fmt.Errorf("kafka topics: %w", err)
		}
		app.Publisher = kafka.NewWriter(brokers)
		relayOpts := outbox.RelayOptions{
			SweepInterval: spec.Kafka.OutboxSweepInterval,
			Logger:        logger,
			Registry:      app.Registry,
		}
		if app.Store != nil {
			relayOpts.Reads = app.Store.Read
		}
		app.Relay = outbox.NewRelay(app.Publisher, relayOpts)
		checks = append(checks, health.Check{Name: "kafka", Probe: func(ctx context.Context) error { return kafka.Ping(ctx, brokers) }})
	}
	if spec.Auth != nil {
		verifier, err := auth.NewVerifier(ctx, auth.VerifierOptions{
			JWKSURL:  spec.Auth.AuthJWKSURL,
			Issuer:   spec.Auth.AuthIssuer,
			Audience: spec.Auth.AuthAudience,
			Logger:   logger,
		})
		if err != nil {
			app.close()
			return nil, err
		}
		app.Auth = verifier
	}
	app.Server = httpserver.New(httpserver.Options{
		Service:         spec.Name,
		Addr:            spec.Common.HTTPAddr,
		Logger:          logger,
		Registry:        app.Registry,
		MaxBodyBytes:    spec.Common.MaxBodyBytes,
		ShutdownTimeout: spec.Common.ShutdownTimeout,
		Checks:          checks,
	})
	return app, nil
}

// run serves until ctx ends. Shutdown order: HTTP drains and consumers stop
// (both on ctx); only then does the relay stop, so events written by the
// last requests and handled messages are still published.
func (a *App) run(ctx context.Context) error {
	if _, err := a.Server.Listen(); err != nil {
		return err
	}
	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	var relayDone sync.WaitGroup
	if a.Relay != nil {
		relayDone.Add(1)
		go func() { defer relayDone.Done(); a.Relay.Run(relayCtx) }()
	}

	var wg sync.WaitGroup
	errs := make(chan error, len(a.consumers)+1)
	for _, cfg := range a.consumers {
		consumer := kafka.NewConsumer(cfg)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := consumer.Run(ctx); err != nil {
				errs <- fmt.Errorf("consumer %v: %w", cfg.Topics, err)
			}
		}()
	}
	for _, worker := range a.workers {
		wg.Add(1)
		go func() { defer wg.Done(); worker(ctx) }()
	}
	a.Logger.Info("serving", "addr", a.spec.Common.HTTPAddr)
	serveErr := a.Server.Run(ctx)
	wg.Wait()
	stopRelay()
	relayDone.Wait()
	close(errs)
	if serveErr != nil {
		return serveErr
	}
	for err := range errs {
		return err
	}
	a.Logger.Info("stopped gracefully")
	return nil
}

func (a *App) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
	if a.Publisher != nil {
		if err := a.Publisher.Close(); err != nil {
			a.Logger.Warn("closing publisher", "error", err.Error())
		}
		a.Publisher = nil
	}
}
