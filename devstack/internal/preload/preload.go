// Package preload fills the services' databases with a shop's past: products
// and orders that were placed, paid, shipped or cancelled long ago, written
// directly through the MongoDB driver in the stores' exact document shapes
// (see docs.go), so that a load test can measure the suite on a store that
// already holds 100,000 orders instead of an empty one.
//
// Every preloaded order is terminal (shipped, paid or cancelled, with the
// catalog reservation and the payment it would have left behind), spread
// over many synthetic shoppers and merchants that no load run uses, so
// nothing in the saga, the sweeps or the relays has work left to do with
// them. Products' stock counters agree with the orders: for every product
// available + held + sold = initial + restocked, held is 0 and sold is the
// sum of its paid and shipped lines.
//
// Documents are written with unordered InsertMany in batches, one
// goroutine per database.
package preload

import (
	"context"
	"crypto/sha1" //nolint:gosec // ids only, as uuid.NewSHA1 does
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Database and collection names the services use (a service's database is
// named after it, see platform/mongodb.Connect).
const (
	OrdersDB       = "orders"
	CatalogDB      = "catalog"
	PaymentsDB     = "payments"
	ordersColl     = "orders"
	productsColl   = "products"
	reservsColl    = "reservations"
	paymentsColl   = "payments"
	defaultBatch   = 1000
	defaultHistory = 180 * 24 * time.Hour
)

// Options shape a preload.
type Options struct {
	// Orders is how many past orders to write.
	Orders int
	// Products is how many products to write (default Orders/10, at least 20).
	Products int
	// Shoppers is how many distinct synthetic shoppers place the orders
	// (default Orders/5, at least 1): most order a few times, a few regulars
	// often.
	Shoppers int
	// Merchants is how many synthetic merchants own the products (default
	// Products/50, at least 1).
	Merchants int
	// Seed makes the ids and the data reproducible; ids differ per seed, so
	// two preloads with different seeds add up (default: the clock).
	Seed uint64
	// Now is the end of the history (default time.Now()); orders are spread
	// over History before it (default 180 days), none in its last hour.
	Now     time.Time
	History time.Duration
	// Batch is how many documents one InsertMany carries (default 1000).
	Batch int
	// Progress, when set, is called after every batch with the collection,
	// how many of its documents are written and how many there are in all.
	// It is called from several goroutines.
	Progress func(collection string, done, total int)
}

// Result is what a preload wrote.
type Result struct {
	Products, Orders, Reservations, Payments int
	// Archived is how many of the products are archived (not listed).
	Archived int
	// ByStatus counts the orders by status (and cancel reason:
	// "cancelled:payment_declined").
	ByStatus map[string]int
	Elapsed  time.Duration
}

// Run writes the history through client into the orders, catalog and
// payments databases.
func Run(ctx context.Context, client *mongo.Client, opts Options) (Result, error) {
	start := time.Now()
	if opts.Orders < 0 {
		return Result{}, errors.New("preload: negative order count")
	}
	opts = opts.withDefaults()
	h := generate(opts)
	res := Result{Products: len(h.products), Orders: len(h.orders), Reservations: len(h.reservations),
		Payments: len(h.payments), ByStatus: h.byStatus}
	for _, p := range h.products {
		if p.Archived {
			res.Archived++
		}
	}
	jobs := []struct {
		coll *mongo.Collection
		docs []any
	}{
		{client.Database(CatalogDB).Collection(productsColl), toAny(h.products)},
		{client.Database(OrdersDB).Collection(ordersColl), toAny(h.orders)},
		{client.Database(CatalogDB).Collection(reservsColl), toAny(h.reservations)},
		{client.Database(PaymentsDB).Collection(paymentsColl), toAny(h.payments)},
	}
	// One goroutine per database: SQLite serialises writers per file.
	byDB := map[string][]int{}
	for i, j := range jobs {
		name := j.coll.Database().Name()
		byDB[name] = append(byDB[name], i)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	for _, idx := range byDB {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range idx {
				if errs[i] = insert(ctx, jobs[i].coll, jobs[i].docs, opts); errs[i] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res, errors.Join(errs...)
}

// insert writes docs in unordered batches.
func insert(ctx context.Context, coll *mongo.Collection, docs []any, opts Options) error {
	for from := 0; from < len(docs); from += opts.Batch {
		to := min(from+opts.Batch, len(docs))
		if _, err := coll.InsertMany(ctx, docs[from:to], options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("preload %s.%s: documents %d–%d: %w", coll.Database().Name(), coll.Name(), from, to, err)
		}
		if opts.Progress != nil {
			opts.Progress(coll.Database().Name()+"."+coll.Name(), to, len(docs))
		}
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Products <= 0 {
		o.Products = max(20, o.Orders/10)
	}
	if o.Shoppers <= 0 {
		o.Shoppers = max(1, o.Orders/5)
	}
	if o.Merchants <= 0 {
		o.Merchants = max(1, o.Products/50)
	}
	if o.Seed == 0 {
		o.Seed = uint64(time.Now().UnixNano()) //nolint:gosec // a seed, not a size
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.History <= 0 {
		o.History = defaultHistory
	}
	if o.Batch <= 0 {
		o.Batch = defaultBatch
	}
	o.Now = o.Now.UTC().Truncate(time.Millisecond)
	return o
}

func toAny[T any](docs []T) []any {
	out := make([]any, len(docs))
	for i := range docs {
		out[i] = docs[i]
	}
	return out
}

// id is a UUID-shaped string derived from the seed, a kind and an index,
// as long as the services' own ids (uuid v5 layout).
func id(seed uint64, kind string, i int) string {
	sum := sha1.Sum(fmt.Appendf(nil, "%d/%s/%d", seed, kind, i)) //nolint:gosec // ids only
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// hash64 is a 64-hex-digit string like the orders' request hashes.
func hash64(seed uint64, kind string, i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/%s/%d", seed, kind, i))
	return hex.EncodeToString(sum[:])
}

// newRand is the deterministic source of one preload.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) //nolint:gosec // reproducible test data, not secrets
}
