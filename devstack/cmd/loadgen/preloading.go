package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/devstack/internal/preload"
	"github.com/mercato-shop/mercato/devstack/stack"
)

// preloadRestarts are the services restarted after a preload of the own
// stack, so that each starts (loads its read models, sweeps) on the full
// store as it would after a deploy. The catalog restarts twice: first
// without a read model snapshot (dropped, see catalogSnapshotColl), so it
// reads every product; then again, when it can start from the snapshot
// its first start saved.
var preloadRestarts = []string{"catalog", "catalog", "orders", "payments"}

// catalogSnapshotColl is where the catalog keeps its read model snapshot
// (catalog/internal/store/snapshot.go). The preload writes products past
// the catalog's events, so a snapshot taken before would hide them: it is
// dropped, and the catalog's next start reads every product.
const catalogSnapshotColl = "readmodel_snapshots"

// preloadStore writes cfg.preload past orders into the store and, on the
// own stack st, restarts the services that own them, timing how long each
// takes to be ready again. Progress goes to logOut.
func preloadStore(ctx context.Context, cfg config, st *stack.Stack, logOut io.Writer) (preload.Result, []restartTiming, error) {
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(cfg.mongoURI).SetMaxPoolSize(4))
	if err != nil {
		return preload.Result{}, nil, fmt.Errorf("preload: connect: %w", err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	var mu sync.Mutex
	last := map[string]time.Time{}
	fmt.Fprintf(logOut, "loadgen: preloading %d past orders...\n", cfg.preload)
	res, err := preload.Run(ctx, client, preload.Options{
		Orders: cfg.preload, Products: cfg.preloadProducts, Seed: cfg.preloadSeed,
		Progress: func(coll string, done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if done == total || time.Since(last[coll]) >= 5*time.Second {
				last[coll] = time.Now()
				fmt.Fprintf(logOut, "loadgen: preload %s %d/%d\n", coll, done, total)
			}
		},
	})
	if err != nil {
		return res, nil, err
	}
	fmt.Fprintf(logOut, "loadgen: preloaded %d orders, %d products, %d reservations, %d payments in %s\n",
		res.Orders, res.Products, res.Reservations, res.Payments, res.Elapsed.Round(time.Millisecond))
	if err := client.Database(preload.CatalogDB).Collection(catalogSnapshotColl).Drop(ctx); err != nil {
		return res, nil, fmt.Errorf("preload: drop the catalog's read model snapshot: %w", err)
	}
	if st == nil {
		fmt.Fprintln(logOut, "loadgen: -gateway: the services were not restarted; the catalog may not serve the preloaded products until it reloads them")
		return res, nil, nil
	}
	var restarts []restartTiming
	for i, name := range preloadRestarts {
		if err := st.Supervisor().Restart(ctx, name); err != nil {
			return res, restarts, fmt.Errorf("preload: restart %s: %w", name, err)
		}
		start := time.Now() // the new process has started
		readyCtx, cancel := context.WithTimeout(ctx, cfg.readyTimeout)
		err := st.Supervisor().WaitReady(readyCtx, name)
		cancel()
		if err != nil {
			return res, restarts, fmt.Errorf("preload: %s not ready after its restart: %w", name, err)
		}
		label := name
		if name == "catalog" {
			label = map[bool]string{true: "catalog (1st restart, snapshot dropped)", false: "catalog (2nd restart)"}[i == 0]
		}
		restarts = append(restarts, restartTiming{service: label, ready: time.Since(start)})
		fmt.Fprintf(logOut, "loadgen: %s ready %s after its restart\n", label, time.Since(start).Round(time.Millisecond))
	}
	if err := checkListed(ctx, cfg, res, logOut); err != nil {
		return res, restarts, err
	}
	return res, restarts, nil
}

// checkListed warns when the catalog does not list the preloaded products
// (it lists at least the visible ones once it has read them).
func checkListed(ctx context.Context, cfg config, res preload.Result, logOut io.Writer) error {
	listed, err := newAPI(cfg.gatewayURL, 1).listedProducts(ctx)
	if err != nil {
		return fmt.Errorf("preload: read the catalog's categories: %w", err)
	}
	if visible := res.Products - res.Archived; listed < visible {
		fmt.Fprintf(logOut, "loadgen: WARNING: the catalog lists %d products, fewer than the %d visible preloaded ones\n", listed, visible)
	} else {
		fmt.Fprintf(logOut, "loadgen: the catalog lists %d products (%d of them preloaded and visible)\n", listed, visible)
	}
	return nil
}
