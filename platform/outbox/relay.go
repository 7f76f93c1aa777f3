package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/kafka"
)

// RelayOptions configure NewRelay. Zero values take the defaults.
type RelayOptions struct {
	// SweepInterval is how often every watched collection is scanned for
	// entries nobody was notified about; 0 (the default) sweeps only when
	// Run starts and after a failed sweep. A sweep reads a whole
	// collection (on FerretDB every document), and a notification is lost
	// only with the process that wrote the document, whose next start-up
	// sweeps: so a periodic sweep only matters for a replica that never
	// comes back (docs/operations.md).
	SweepInterval time.Duration
	// Reads, when set, is the read pool of the watched collections'
	// database: sweeps read through it, so a sweep's long scan does not
	// hold the single write connection of the embedded store (where it
	// would delay every write and the readiness probe until it ends).
	Reads *mongo.Database
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Registry receives the relay's metrics; nil leaves them unregistered.
	Registry prometheus.Registerer
	// BatchSize is how many documents are loaded and published in one round
	// (default 100).
	BatchSize int
	// FinalFlushTimeout bounds the last publish attempt after Run's context
	// ends (default 5 s). What is left is published by the next start-up sweep.
	FinalFlushTimeout time.Duration
}

// Pauses between failed rounds: Kafka or the store being down must not make
// the relay spin.
const (
	minRetryPause = 200 * time.Millisecond
	maxRetryPause = 5 * time.Second
)

// Relay publishes the outbox entries of watched collections to Kafka and
// removes them once acknowledged. It processes one round at a time, so a
// document is never handled by two goroutines of one relay, and a document's
// entries are published in array order. Relays in several replicas of a
// service are safe together: each removes only the exact entries it
// published, so at worst an entry is published twice, never lost.
//
// On FerretDB the collections must come from the single-writer client
// (mongodb.Store.Write): removing entries is an update, and FerretDB v1
// races updates made over different connections.
type Relay struct {
	pub     kafka.Publisher
	opts    RelayOptions
	log     *slog.Logger
	metrics *metrics
	queue   *queue
	removed *removedSet
	busy    chan struct{} // held while a round runs

	mu    sync.Mutex
	colls map[string]*mongo.Collection // by database.collection
}

// NewRelay returns a relay publishing through pub. Register collections with
// Watch, then start Run.
func NewRelay(pub kafka.Publisher, opts RelayOptions) *Relay {
	if opts.SweepInterval < 0 {
		opts.SweepInterval = 0
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.FinalFlushTimeout <= 0 {
		opts.FinalFlushTimeout = 5 * time.Second
	}
	return &Relay{
		pub:     pub,
		opts:    opts,
		log:     opts.Logger.With("component", "outbox-relay"),
		metrics: newMetrics(opts.Registry),
		queue:   newQueue(),
		removed: newRemovedSet(),
		busy:    make(chan struct{}, 1),
		colls:   map[string]*mongo.Collection{},
	}
}

// Watch registers collections whose documents carry outboxes, so sweeps
// scan them. The store that owns a collection watches it when it is built
// (its New or Open), so no main forgets one; a nil relay watches nothing.
func (r *Relay) Watch(colls ...*mongo.Collection) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range colls {
		r.colls[collKey(c)] = c
	}
}

// Notify tells the relay that the document with _id docID in coll may have
// new outbox entries; stores call it right after each write. It never
// blocks: notifications of one document coalesce until it is processed. The
// relay works on the collection registered with Watch under the same name
// (coll is watched if it was not). Notify on a nil Relay does nothing, so
// stores can be used without one.
func (r *Relay) Notify(coll *mongo.Collection, docID any) {
	if r == nil {
		return
	}
	r.mu.Lock()
	watched, ok := r.colls[collKey(coll)]
	if !ok {
		r.colls[collKey(coll)] = coll
		watched = coll
	}
	r.mu.Unlock()
	r.queue.add(newDocRef(watched, docID))
}

// Written tells the relay that a write left document docID of coll with
// exactly the outbox pending (its elements as stored, in array order), so
// the relay publishes them without loading the document. Stores call it
// through Insert and Update. Written on a nil Relay does nothing.
func (r *Relay) Written(coll *mongo.Collection, docID any, pending []bson.Raw) {
	if r == nil {
		return
	}
	if len(pending) == 0 {
		return
	}
	r.mu.Lock()
	watched, ok := r.colls[collKey(coll)]
	if !ok {
		r.colls[collKey(coll)] = coll
		watched = coll
	}
	r.mu.Unlock()
	ref := newDocRef(watched, docID)
	ref.known, ref.pending = true, pending
	r.queue.add(ref)
}

// Run sweeps every watched collection, then publishes notified documents
// as they come (and sweeps again every SweepInterval, if set) until ctx
// ends. Failed
// rounds are retried with growing pauses; nothing is removed before Kafka
// acknowledged it. When ctx ends, Run makes one last attempt (bounded by
// FinalFlushTimeout) to publish what was notified, then returns.
func (r *Relay) Run(ctx context.Context) {
	sweepFailed := r.sweep(ctx) != nil
	var sweepC <-chan time.Time
	if r.opts.SweepInterval > 0 {
		ticker := time.NewTicker(r.opts.SweepInterval)
		defer ticker.Stop()
		sweepC = ticker.C
	}
	var (
		pause  time.Duration
		retry  *time.Timer
		retryC <-chan time.Time // non-nil while pausing after a failure
	)
	for {
		if retryC == nil {
			err := r.drain(ctx)
			if err != nil && ctx.Err() == nil {
				r.log.Warn("outbox round failed; retrying", "error", err, "pending_documents", r.queue.len())
			}
			if (err != nil && ctx.Err() == nil) || sweepFailed {
				pause = min(max(2*pause, minRetryPause), maxRetryPause)
				retry = time.NewTimer(pause)
				retryC = retry.C
			} else {
				pause = 0
			}
		}
		select {
		case <-ctx.Done():
			if retry != nil {
				retry.Stop()
			}
			r.finalFlush(ctx)
			return
		case <-r.queue.wake:
		case <-sweepC:
			sweepFailed = r.sweep(ctx) != nil
		case <-retryC:
			retryC = nil
			if sweepFailed {
				sweepFailed = r.sweep(ctx) != nil
			}
		}
	}
}

// Flush publishes every notified document now and returns when none is
// left, or with the first error. It waits for a round in progress.
func (r *Relay) Flush(ctx context.Context) error {
	if err := r.drain(ctx); err != nil {
		return fmt.Errorf("outbox flush (%d documents pending): %w", r.queue.len(), err)
	}
	return nil
}

// finalFlush is Run's last attempt after its context ended.
func (r *Relay) finalFlush(ctx context.Context) {
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.FinalFlushTimeout)
	defer cancel()
	if err := r.Flush(flushCtx); err != nil {
		r.log.Warn("outbox final flush incomplete; the next start-up sweep publishes the rest", "error", err)
	}
}

// drain runs rounds until the queue is empty or a round fails.
func (r *Relay) drain(ctx context.Context) error {
	select {
	case r.busy <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-r.busy }()
	for r.queue.len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.round(ctx); err != nil {
			return err
		}
	}
	return nil
}

// collections lists the watched collections.
func (r *Relay) collections() []*mongo.Collection {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*mongo.Collection, 0, len(r.colls))
	for _, c := range r.colls {
		out = append(out, c)
	}
	return out
}
