// Command loadgen drives the shopper's journey through the gateway of a
// running Mercato and reports what it costs, like a load tool: a progress
// line while it runs, a text summary at the end and, with -report, a
// self-contained HTML page with plots (see html.go).
//
// With -json it also writes the headline figures as JSON, for tables that
// compare runs (before and after a change: build each commit's services
// into its own folder and pass it with -bin).
//
// It starts its own embedded stack on free loopback ports in a temporary
// folder (or, with -gateway, uses a running one), optionally preloads the
// store with a shop's past (-preload N orders, see devstack/internal/preload;
// the own stack's catalog, orders and payments are then restarted so they
// start on the full store, and their readiness times are reported), seeds
// a merchant with a few products of large stock and some shoppers through
// the public API, then for -d runs -c concurrent workers:
//
//   - -mode journey (default): put an item in the cart, check out with the
//     test card, poll the order until it is paid or cancelled, shop again;
//   - -mode stream: put an item in the cart, check out, read the order
//     once and shop again without waiting; a tracker follows the orders.
//
// After the stream stops it waits until every accepted order is terminal
// (at most -drain-timeout) and reports the drain time. Figures: paid and
// accepted orders/s, placed→paid (server timestamps) and per-step round
// trips (p50/p90/p99/max), backlog and drain, errors by kind, and the
// store-independent cost (docs/performance.md): Kafka messages per paid order
// (topic high-water marks before and after), store commands per paid order
// (FerretDB's serverStatus counters, net of the idle background measured
// just before; opcounters on MongoDB), and the store's raw rate in the same
// run (single-document conditional updates over one connection).
//
//	go run ./devstack/cmd/loadgen                       # own stack, 20 s, 8 workers
//	go run ./devstack/cmd/loadgen -c 32 -mode stream -duration 60s -report out.html
//	go run ./devstack/cmd/loadgen -preload 100000 -c 8 -report preloaded.html -json preloaded.json
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
	mode            string
	duration        time.Duration
	concurrency     int
	shoppers        int
	products        int
	rate            float64
	pollInterval    time.Duration
	trackers        int
	trackPoll       time.Duration
	trackRate       float64
	orderTimeout    time.Duration
	drainTimeout    time.Duration
	idle            time.Duration
	rawDuration     time.Duration
	progress        time.Duration
	sample          time.Duration
	report          string
	jsonOut         string
	preload         int
	preloadProducts int
	preloadSeed     uint64
	readyTimeout    time.Duration
	gatewayURL      string
	kafkaAddr       string
	mongoURI        string
	binDir          string
	keep            bool
}

func main() {
	cfg, err := parseFlags(flag.CommandLine, os.Args[1:])
	if err != nil {
		log.Fatalf("loadgen: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); stop() }() // a second Ctrl-C ends loadgen at once
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		stop()
		log.Fatalf("loadgen: %v", err)
	}
}

// parseFlags reads the command line into a config and checks it.
func parseFlags(fs *flag.FlagSet, args []string) (config, error) {
	var cfg config
	fs.StringVar(&cfg.mode, "mode", modeJourney, "journey: each worker waits for its order's outcome; stream: each worker checks out again at once")
	fs.DurationVar(&cfg.duration, "d", 20*time.Second, "how long to start new journeys (same as -duration)")
	fs.DurationVar(&cfg.duration, "duration", 20*time.Second, "how long to start new journeys; any length, for sustained-load runs")
	fs.IntVar(&cfg.concurrency, "c", 8, "concurrent workers (shoppers checking out)")
	fs.IntVar(&cfg.shoppers, "shoppers", 0, "shoppers to register (default 2×c; at least c)")
	fs.IntVar(&cfg.products, "products", 4, "products to create for the load")
	fs.Float64Var(&cfg.rate, "rate", 0, "pace journey starts to this many per second over all workers (0: as fast as the workers go)")
	fs.DurationVar(&cfg.pollInterval, "poll", 25*time.Millisecond, "journey mode: interval of a worker's polling of its order")
	fs.IntVar(&cfg.trackers, "trackers", 4, "concurrent status readers following orders no worker waits for")
	fs.DurationVar(&cfg.trackPoll, "track-poll", 100*time.Millisecond, "least interval between two status reads of one tracked order")
	fs.Float64Var(&cfg.trackRate, "track-rate", 50, "the trackers' status reads per second, all together (0: no limit)")
	fs.DurationVar(&cfg.orderTimeout, "order-timeout", 30*time.Second, "journey mode: a worker waits this long for its order, then leaves it to the trackers")
	fs.DurationVar(&cfg.drainTimeout, "drain-timeout", 2*time.Minute, "after the stream stops, wait at most this long for every accepted order to be terminal")
	fs.DurationVar(&cfg.idle, "idle", 2*time.Second, "idle window before the load that measures the store's background commands")
	fs.DurationVar(&cfg.rawDuration, "raw-d", 3*time.Second, "how long to measure the store's raw conditional-update rate (0: skip)")
	fs.DurationVar(&cfg.progress, "progress", 2*time.Second, "interval of the progress line on stderr (0: none)")
	fs.DurationVar(&cfg.sample, "sample", time.Second, "interval of sampling the store's and broker's counters for the plots (0: none)")
	fs.StringVar(&cfg.report, "report", "", "write a self-contained HTML report with plots to this file")
	fs.StringVar(&cfg.jsonOut, "json", "", "write the headline figures as JSON to this file (for tables comparing runs)")
	fs.IntVar(&cfg.preload, "preload", 0, "first fill the store with this many past (terminal) orders, their payments and reservations")
	fs.IntVar(&cfg.preloadProducts, "preload-products", 0, "products to preload (default preload/10, at least 20)")
	fs.Uint64Var(&cfg.preloadSeed, "preload-seed", 0, "seed of the preloaded data (default: the clock)")
	fs.DurationVar(&cfg.readyTimeout, "ready-timeout", 10*time.Minute, "after -preload, wait at most this long for each restarted service to be ready")
	fs.StringVar(&cfg.gatewayURL, "gateway", "", "gateway URL of a running Mercato (default: start an own stack)")
	fs.StringVar(&cfg.kafkaAddr, "kafka", "", "with -gateway: the broker, host:port (empty: no Kafka figures)")
	fs.StringVar(&cfg.mongoURI, "mongo", "", "with -gateway: the store's mongodb:// URI (empty: no store figures, no -preload)")
	fs.StringVar(&cfg.binDir, "bin", "", "prebuilt service binaries for the own stack (default: build them)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the own stack's temporary folder (logs, data)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.shoppers == 0 {
		cfg.shoppers = 2 * cfg.concurrency
	}
	switch {
	case cfg.mode != modeJourney && cfg.mode != modeStream:
		return cfg, fmt.Errorf("-mode must be %s or %s", modeJourney, modeStream)
	case cfg.concurrency < 1 || cfg.shoppers < cfg.concurrency || cfg.products < 1 || cfg.duration <= 0:
		return cfg, fmt.Errorf("need -c ≥ 1, -shoppers ≥ -c, -products ≥ 1, -duration > 0")
	case cfg.trackers < 1 || cfg.drainTimeout <= 0 || cfg.orderTimeout <= 0 || cfg.preload < 0:
		return cfg, fmt.Errorf("need -trackers ≥ 1, -drain-timeout > 0, -order-timeout > 0, -preload ≥ 0")
	case cfg.preload > 0 && cfg.gatewayURL != "" && cfg.mongoURI == "":
		return cfg, fmt.Errorf("-preload with -gateway needs -mongo")
	}
	return cfg, nil
}

// run sets up the target, preloads and seeds it, runs the load and writes
// the reports; progress goes to logOut.
func run(ctx context.Context, cfg config, out, logOut io.Writer) error {
	info := runInfo{cfg: cfg, started: time.Now()}
	var st *stack.Stack
	if cfg.gatewayURL == "" {
		var cleanup func()
		var err error
		st, cleanup, err = startStack(ctx, cfg)
		if err != nil {
			return err
		}
		defer cleanup()
		cfg.gatewayURL, cfg.kafkaAddr, cfg.mongoURI = st.GatewayURL(), st.KafkaAddr(), st.MongoURI()
	}
	info.gateway = cfg.gatewayURL
	if cfg.preload > 0 {
		res, restarts, err := preloadStore(ctx, cfg, st, logOut)
		if err != nil {
			return err
		}
		info.preload, info.restarts = &res, restarts
	}
	a := newAPI(cfg.gatewayURL, cfg.concurrency+cfg.trackers)
	seedStart := time.Now()
	products, shoppers, err := seed(ctx, a, cfg)
	if err != nil {
		return err
	}
	if err := waitServing(ctx, a, shoppers[0]); err != nil {
		return err
	}
	info.seeded = fmt.Sprintf("seeded 1 merchant, %d products, %d shoppers in %s", len(products), len(shoppers), time.Since(seedStart).Round(time.Millisecond))
	fmt.Fprintf(out, "loadgen: gateway %s; %s\n", cfg.gatewayURL, info.seeded)

	p, err := newProbes(ctx, cfg)
	if err != nil {
		return err
	}
	defer p.close()
	info.probes = p
	if err := p.measureIdle(ctx, cfg.idle); err != nil {
		return err
	}
	if info.before, err = p.snapshot(ctx); err != nil {
		return err
	}
	rec := newRecorder(time.Now())
	sampleCtx, stopSampling := context.WithCancel(ctx)
	points, sampled := p.sample(sampleCtx, rec.start, cfg.sample)
	res := runLoad(ctx, a, loadConfig{mode: cfg.mode, duration: cfg.duration, concurrency: cfg.concurrency,
		trackers: cfg.trackers, rate: cfg.rate, pollInterval: cfg.pollInterval, trackPoll: cfg.trackPoll, trackRate: cfg.trackRate,
		orderTimeout: cfg.orderTimeout, drainTimeout: cfg.drainTimeout, products: products, shoppers: shoppers,
		progressOut: logOut, progressEvery: cfg.progress}, rec)
	stopSampling()
	<-sampled
	info.points = *points
	// An interrupted run (Ctrl-C) still reports what it recorded.
	interrupted := ctx.Err() != nil
	finish, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if info.after, err = p.snapshot(finish); err != nil {
		return err
	}
	if !interrupted {
		if info.raw, err = p.rawRate(ctx, cfg.rawDuration); err != nil {
			return err
		}
	}
	s := summarize(res, info)
	if interrupted {
		fmt.Fprintln(out, "loadgen: INTERRUPTED: the figures cover the run until the interrupt")
	}
	printReport(out, s)
	if cfg.report != "" {
		if err := writeReportFile(cfg.report, s); err != nil {
			return err
		}
		fmt.Fprintf(out, "report:      %s\n", cfg.report)
	}
	if cfg.jsonOut != "" {
		if err := writeJSONFile(cfg.jsonOut, s); err != nil {
			return err
		}
	}
	return nil
}

// writeReportFile writes the HTML report to path.
func writeReportFile(path string, s summary) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeHTML(f, s); err != nil {
		_ = f.Close()
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
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
// accepted by the orders service's cart (the services verify tokens
// against the users service's keys, which they may not have fetched yet).
// It does not list orders: on a large store without indexes a list can
// take longer than the gateway waits, which is what the load measures.
func waitServing(ctx context.Context, a *api, token string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := a.Call(ctx, http.MethodGet, "/api/v1/cart", token, nil, nil)
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
