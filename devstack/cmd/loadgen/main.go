// Command loadgen drives the shopper's journey through the gateway of a
// running Mercato and reports what it costs. It starts its own embedded
// stack on free loopback ports in a temporary folder (or, with -gateway,
// uses a running one), seeds a merchant with a few products of large stock
// and some shoppers through the public API, then for -d runs -c concurrent
// journeys: put an item in the cart, check out with the test card, poll the
// order until it is paid or cancelled (30 s at most).
//
// It prints orders completed per second, checkout and placed→paid latency
// (p50/p99) and counts by final status. Because the embedded store bounds
// throughput on small machines, it also prints the store-independent cost
// (DESIGN.md §8): Kafka messages per paid order (topic high-water marks
// before and after), FerretDB commands per paid order (its serverStatus
// counters, also net of the idle background measured just before), and the
// store's raw rate in the same run (single-document conditional updates
// over one connection), with orders/s as a fraction of it.
//
//	go run ./devstack/cmd/loadgen                       # own stack, 20 s, 8 workers
//	go run ./devstack/cmd/loadgen -d 60s -c 16
//	go run ./devstack/cmd/loadgen -gateway http://127.0.0.1:8080 \
//	    -kafka 127.0.0.1:9092 -mongo mongodb://127.0.0.1:27017/   # `devstack up`
//
// It is a program, not a test, so `go test` never runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/mercato-shop/mercato/devstack/stack"
)

// config is the command line.
type config struct {
	duration     time.Duration
	concurrency  int
	shoppers     int
	products     int
	pollInterval time.Duration
	idle         time.Duration
	rawDuration  time.Duration
	gatewayURL   string
	kafkaAddr    string
	mongoURI     string
	binDir       string
	keep         bool
}

func main() {
	var cfg config
	flag.DurationVar(&cfg.duration, "d", 20*time.Second, "how long to start new journeys")
	flag.IntVar(&cfg.concurrency, "c", 8, "concurrent shopper journeys")
	flag.IntVar(&cfg.shoppers, "shoppers", 0, "shoppers to register (default 2×c; at least c)")
	flag.IntVar(&cfg.products, "products", 4, "products to create")
	flag.DurationVar(&cfg.pollInterval, "poll", 25*time.Millisecond, "interval of polling an order's status")
	flag.DurationVar(&cfg.idle, "idle", 2*time.Second, "idle window before the load that measures the store's background commands")
	flag.DurationVar(&cfg.rawDuration, "raw-d", 3*time.Second, "how long to measure the store's raw conditional-update rate")
	flag.StringVar(&cfg.gatewayURL, "gateway", "", "gateway URL of a running Mercato (default: start an own stack)")
	flag.StringVar(&cfg.kafkaAddr, "kafka", "", "with -gateway: the broker, host:port (empty: no Kafka figures)")
	flag.StringVar(&cfg.mongoURI, "mongo", "", "with -gateway: FerretDB's mongodb:// URI (empty: no store figures)")
	flag.StringVar(&cfg.binDir, "bin", "", "prebuilt service binaries for the own stack (default: build them)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the own stack's temporary folder (logs, data)")
	flag.Parse()
	if cfg.shoppers == 0 {
		cfg.shoppers = 2 * cfg.concurrency
	}
	if cfg.concurrency < 1 || cfg.shoppers < cfg.concurrency || cfg.products < 1 || cfg.duration <= 0 {
		log.Fatal("loadgen: need -c ≥ 1, -shoppers ≥ -c, -products ≥ 1, -d > 0")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		stop()
		log.Fatalf("loadgen: %v", err)
	}
}

// run sets up the target, seeds it, measures and prints the report.
func run(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.gatewayURL == "" {
		st, cleanup, err := startStack(ctx, cfg)
		if err != nil {
			return err
		}
		defer cleanup()
		cfg.gatewayURL, cfg.kafkaAddr, cfg.mongoURI = st.GatewayURL(), st.KafkaAddr(), st.MongoURI()
	}
	a := newAPI(cfg.gatewayURL, cfg.concurrency)
	seedStart := time.Now()
	products, shoppers, err := seed(ctx, a, cfg)
	if err != nil {
		return err
	}
	if err := waitServing(ctx, a, shoppers[0]); err != nil {
		return err
	}
	fmt.Fprintf(out, "loadgen: gateway %s; seeded 1 merchant, %d products, %d shoppers in %s\n",
		cfg.gatewayURL, len(products), len(shoppers), time.Since(seedStart).Round(time.Millisecond))

	probes, err := newProbes(ctx, cfg)
	if err != nil {
		return err
	}
	defer probes.close()
	if err := probes.measureIdle(ctx, cfg.idle); err != nil {
		return err
	}
	before, err := probes.snapshot(ctx)
	if err != nil {
		return err
	}
	res := runLoad(ctx, a, loadConfig{duration: cfg.duration, concurrency: cfg.concurrency,
		pollInterval: cfg.pollInterval, products: products, shoppers: shoppers})
	after, err := probes.snapshot(ctx)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	raw, err := probes.rawRate(ctx, cfg.rawDuration)
	if err != nil {
		return err
	}
	printReport(out, cfg, summarize(res), probes, before, after, raw)
	return nil
}

// startStack starts an own embedded stack on free ports in a temporary
// folder; cleanup stops it and removes the folder (unless -keep).
func startStack(ctx context.Context, cfg config) (*stack.Stack, func(), error) {
	dir, err := os.MkdirTemp("", "mercato-loadgen-")
	if err != nil {
		return nil, nil, fmt.Errorf("temp dir: %w", err)
	}
	removeDir := func() {
		if cfg.keep {
			fmt.Fprintf(os.Stderr, "loadgen: kept %s\n", dir)
			return
		}
		_ = os.RemoveAll(dir)
	}
	logFile, err := os.Create(filepath.Join(dir, "stack.log"))
	if err != nil {
		removeDir()
		return nil, nil, fmt.Errorf("stack log: %w", err)
	}
	fmt.Fprintln(os.Stderr, "loadgen: starting the stack (building the services unless -bin is given)...")
	st, err := stack.Start(ctx, stack.Options{
		DataDir:  filepath.Join(dir, "data"),
		BinDir:   cfg.binDir,
		LogLevel: "warn",
		Logger:   slog.New(slog.NewTextHandler(logFile, nil)),
	})
	if err != nil {
		_ = logFile.Close()
		removeDir()
		return nil, nil, fmt.Errorf("start stack: %w", err)
	}
	return st, func() {
		if err := st.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		}
		_ = logFile.Close()
		removeDir()
	}, nil
}

// waitServing waits up to a minute until a fresh shopper's token is
// accepted by the cart and the order list (the services verify tokens
// against the users service's keys, which they may not have fetched yet).
func waitServing(ctx context.Context, a *api, token string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := a.call(ctx, http.MethodGet, "/api/v1/cart", token, nil, nil)
		if err == nil {
			err = a.call(ctx, http.MethodGet, "/api/v1/orders?limit=1", token, nil, nil)
		}
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the suite does not serve a fresh shopper within a minute: %w", err)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// seed creates one merchant with cfg.products products of large stock and
// cfg.shoppers shoppers, and returns the product ids and shopper tokens.
func seed(ctx context.Context, a *api, cfg config) ([]string, []string, error) {
	run := time.Now().UnixNano()
	merchant, err := a.register(ctx, "merchant", fmt.Sprintf("merchant%d", run))
	if err != nil {
		return nil, nil, fmt.Errorf("seed merchant: %w", err)
	}
	var products, shoppers []string
	for i := range cfg.products {
		id, err := a.createProduct(ctx, merchant, fmt.Sprintf("LOAD-%d-%d", run, i), 1_000_000)
		if err != nil {
			return nil, nil, fmt.Errorf("seed product: %w", err)
		}
		products = append(products, id)
	}
	for i := range cfg.shoppers {
		token, err := a.register(ctx, "shopper", fmt.Sprintf("shopper%d-%d", run, i))
		if err != nil {
			return nil, nil, fmt.Errorf("seed shopper: %w", err)
		}
		shoppers = append(shoppers, token)
	}
	return products, shoppers, nil
}
