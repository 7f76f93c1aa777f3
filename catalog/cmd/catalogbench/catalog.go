package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/api"
	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded"
)

// Vocabulary of the seeded products: 20 categories, names of an adjective
// and a noun, descriptions of a few more words.
var (
	categories = []string{"audio", "books", "cameras", "clothing", "computers", "furniture", "garden", "grocery", "health", "home",
		"jewelry", "kitchen", "lighting", "music", "office", "outdoor", "pets", "shoes", "sports", "toys"}
	adjectives = []string{"wireless", "wooden", "vintage", "compact", "organic", "electric", "portable", "classic", "modern", "rustic",
		"smart", "deluxe", "mini", "heavy", "soft", "waterproof", "ceramic", "leather", "steel", "bamboo"}
	nouns = []string{"headphones", "chair", "lamp", "kettle", "notebook", "speaker", "blanket", "camera", "jacket", "backpack",
		"mug", "table", "watch", "bottle", "keyboard", "sofa", "shelf", "boots", "tent", "guitar"}
	extras = []string{"premium", "handmade", "durable", "lightweight", "eco", "gift", "travel", "family", "pro", "everyday"}
)

// browsePath is the i-th category browse: a category, cheapest first.
func browsePath(i int) string {
	return "/api/v1/products?category=" + categories[i%len(categories)] + "&sort=price_asc&limit=20"
}

// searchPath is the i-th two-word search: word prefixes of an adjective
// and a noun.
func searchPath(i int) string {
	a, n := adjectives[i%len(adjectives)], nouns[(i/len(adjectives))%len(nouns)]
	return "/api/v1/products?q=" + a[:min(len(a), 5)] + "+" + n[:min(len(n), 4)] + "&limit=20"
}

type inProcess struct {
	baseURL string
	ids     []string
	close   func()
}

// startCatalog starts FerretDB, seeds it through the catalog's use cases,
// loads a read model from the store as the service does at start-up, and
// serves the real router.
func startCatalog(ctx context.Context, n int, addr string) (*inProcess, error) {
	if !isLoopback(addr) {
		return nil, fmt.Errorf("-addr %s: only loopback addresses", addr)
	}
	dir, err := os.MkdirTemp("", "catalogbench-")
	if err != nil {
		return nil, err
	}
	mongoSrv, err := embedded.StartMongo(embedded.MongoOptions{DataDir: dir})
	if err != nil {
		return nil, err
	}
	cleanup := func() { mongoSrv.Close(); os.RemoveAll(dir) }
	db, err := mongodb.Connect(ctx, config.Mongo{MongoURI: mongoSrv.URI(), MongoDatabase: "catalog", MongoSingleWriter: true, MongoReadPoolSize: 16}, "catalog")
	if err != nil {
		cleanup()
		return nil, err
	}
	st := store.New(db, nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		cleanup()
		return nil, err
	}
	seeder := usecase.New(usecase.Options{Store: st, Model: readmodel.New(func(domain.Product) []byte { return nil })})
	started := time.Now()
	ids, err := seed(ctx, seeder, n)
	if err != nil {
		cleanup()
		return nil, err
	}
	fmt.Printf("seeded %d products in %v\n", len(ids), time.Since(started).Round(time.Millisecond))

	model := readmodel.New(api.RenderPublic)
	svc := usecase.New(usecase.Options{Store: st, Model: model})
	started = time.Now()
	if _, err := svc.LoadReadModel(ctx); err != nil {
		cleanup()
		return nil, err
	}
	fmt.Printf("read model loaded from FerretDB in %v\n", time.Since(started).Round(time.Millisecond))

	logger := slog.New(slog.DiscardHandler)
	verifier, err := auth.NewVerifier(ctx, auth.VerifierOptions{JWKSURL: "http://127.0.0.1:1/jwks.json", Issuer: "bench", Audience: "bench", Logger: logger})
	if err != nil {
		cleanup()
		return nil, err
	}
	srv := httpserver.New(httpserver.Options{Service: "catalog", Addr: addr, Logger: logger})
	api.Register(srv.Router(), svc, model, verifier)
	bound, err := srv.Listen()
	if err != nil {
		cleanup()
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.Run(runCtx) }()
	return &inProcess{
		baseURL: "http://" + bound.String(),
		ids:     ids,
		close:   func() { stop(); wg.Wait(); db.Close(context.Background()); cleanup() },
	}, nil
}

// seed creates n products, a few at a time (the store has one writer).
func seed(ctx context.Context, svc *usecase.Service, n int) ([]string, error) {
	ids := make([]string, n)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42)) //nolint:gosec // seeded on purpose: benchmark data must be reproducible
			for i := w; i < n; i += 4 {
				adj, noun := adjectives[rng.IntN(len(adjectives))], nouns[rng.IntN(len(nouns))]
				p, err := svc.CreateProduct(ctx, fmt.Sprintf("merchant-%d", i%50), domain.Draft{
					SKU:         fmt.Sprintf("SKU-%05d", i),
					Name:        adj + " " + noun,
					Description: fmt.Sprintf("A %s %s %s for %s use.", extras[rng.IntN(len(extras))], adj, noun, extras[rng.IntN(len(extras))]),
					Category:    categories[i%len(categories)],
					Price:       domain.Money{Amount: int64(100 + rng.IntN(20_000)), Currency: "USD"},
					Stock:       int64(rng.IntN(100)),
					Images:      []string{fmt.Sprintf("https://img.example/%d.jpg", i)},
				})
				if err != nil {
					errs <- err
					return
				}
				ids[i] = p.ID
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return nil, err
	}
	return ids, nil
}
