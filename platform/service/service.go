// Package service is the common main of every Mercato service: it parses the
// configuration, builds the shared dependencies (logger, metrics, MongoDB,
// Kafka topics, publisher, outbox relay, HTTP server), lets the service wire
// its handlers and consumers, runs everything, and drains on SIGTERM.
//
// A service's main stays short:
//
//	type Config struct {
//		config.Common // required
//		config.Mongo  // the service has a store
//		config.Kafka  // the service has events
//		config.Auth   // the service verifies access tokens (App.Auth)
//		...
//	}
//
//	func main() {
//		var cfg Config
//		service.Main(service.Spec{Name: "orders", DefaultAddr: ":8083", Config: &cfg}, setup)
//	}
package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/tracing"
)

// Version is the build's version, stamped by the image build with
// -ldflags "-X github.com/mercato-shop/mercato/platform/service.Version=...".
var Version = "dev"

// Spec describes a service to Main.
type Spec struct {
	// Name is the service name: logs, metrics, database and consumer group.
	Name string
	// DefaultAddr is the listen address when HTTP_ADDR is unset, e.g. ":8081".
	DefaultAddr string
	// Config points at the service's whole configuration struct. Main
	// finds in it the parts platform reads, as embedded fields:
	// config.Common (required), config.Mongo (the service has a store),
	// config.Kafka (it has events) and config.Auth (it verifies tokens:
	// App.Auth). A part held in a named field is the service's own
	// business (the gateway verifies tokens itself).
	Config any
	// Common, Mongo, Kafka and Auth are the parts found in Config; set
	// them only to point elsewhere (tests).
	Common *config.Common
	Mongo  *config.Mongo
	Kafka  *config.Kafka
	Auth   *config.Auth
	// Topics this service creates at start-up (their dead-letter topics are
	// created too).
	Topics []string
	// LogWriter receives the JSON log; os.Stdout when nil. The gateway
	// passes a buffered writer (one write per batch of lines, not per line).
	LogWriter io.Writer
}

// Setup wires a service's routes, consumers and workers onto app. It runs
// after the dependencies are up and before anything is served as ready.
type Setup func(ctx context.Context, app *App) error

// Main runs the service until SIGINT or SIGTERM and exits the process. The
// subcommand `healthcheck` instead probes the running service's /healthz
// (the container HEALTHCHECK: no shell or curl needed in the image).
func Main(spec Spec, setup Setup) {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(spec))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := runTraced(ctx, spec, setup); err != nil {
		slog.Error("service stopped with an error", "service", spec.Name, "error", err.Error())
		fmt.Fprintf(os.Stderr, "%s: %v\n", spec.Name, err)
		os.Exit(1)
	}
}

// tracingFlushTimeout bounds the export of the last spans at exit.
const tracingFlushTimeout = 5 * time.Second

// runTraced is Run with OpenTelemetry tracing installed (platform/tracing);
// the spans still buffered are flushed once everything has stopped, the
// outbox relay included.
func runTraced(ctx context.Context, spec Spec, setup Setup) error {
	shutdownTracing, err := tracing.Init(ctx, spec.Name, Version)
	if err != nil {
		return err
	}
	runErr := Run(ctx, spec, setup)
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tracingFlushTimeout)
	defer cancel()
	if err := shutdownTracing(flushCtx); err != nil {
		slog.Warn("flush traces", "service", spec.Name, "error", err.Error())
	}
	return runErr
}

// Run builds the service and runs it until ctx ends, then shuts it down
// gracefully: not ready, in-flight requests drained, consumers stopped after
// committing what they handled, the outbox flushed, connections closed.
func Run(ctx context.Context, spec Spec, setup Setup) error {
	spec, err := loadConfig(spec)
	if err != nil {
		return err
	}
	app, err := newApp(ctx, spec)
	if err != nil {
		return err
	}
	defer app.close()
	if err := setup(ctx, app); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	return app.run(ctx)
}

// loadConfig completes spec with the parts of its configuration (withParts)
// and loads the configuration from the environment.
func loadConfig(spec Spec) (Spec, error) {
	if spec.Name == "" || spec.Config == nil {
		return spec, errors.New("service: Spec needs Name and Config")
	}
	spec, err := withParts(spec)
	if err != nil {
		return spec, err
	}
	spec.Common.Service = spec.Name
	if spec.Common.HTTPAddr == "" {
		spec.Common.HTTPAddr = spec.DefaultAddr
	}
	return spec, config.Load(spec.Config)
}
