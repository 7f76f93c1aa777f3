package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/events"
)

// FollowerConfig configures NewFollower. Brokers and Service are required.
type FollowerConfig struct {
	Brokers []string
	// Topic is the catalog's own topic (default events.TopicCatalog).
	Topic   string
	Service *usecase.Service
	// MaxWait bounds how long one fetch waits for new events (default
	// 500 ms); events are handed over as soon as they arrive.
	MaxWait time.Duration
	Logger  *slog.Logger
}

// Follower keeps a replica's read model up to date with the writes of the
// other replicas by reading every partition of catalog.events without a
// consumer group (each replica must see every event), from the position
// its model was loaded at. For an event another replica wrote it re-reads
// the products the event names by _id and applies them with the model's
// version check: the store's copy is at least as new as the event, and an
// older copy (a redelivery, an event overtaken by a later one on another
// partition) never replaces a newer one. Its own events (ReplicaHeader) are
// skipped: their effect was applied when they were written.
type Follower struct {
	cfg FollowerConfig
	log *slog.Logger

	mu      sync.Mutex
	offsets map[int]int64 // per partition: the next offset to apply
}

// NewFollower returns a Follower; Start loads the model, Run follows.
func NewFollower(cfg FollowerConfig) *Follower {
	if cfg.Topic == "" {
		cfg.Topic = events.TopicCatalog
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Follower{cfg: cfg, log: cfg.Logger.With("follower", cfg.Topic), offsets: map[int]int64{}}
}

// Loaded says how Start filled the read model.
type Loaded struct {
	// Source is "snapshot" or "store" (every product read).
	Source   string
	Products int
	// Replayed is the number of events replayed after loading.
	Replayed int
	// Reread is the number of products those events made it read by _id;
	// Reloaded says it read every product instead, as they were too many.
	Reread   int
	Reloaded bool
	Took     time.Duration
}

// Start fills the read model before the replica serves: from the latest
// snapshot when there is one whose offsets are still in the topic (and
// useSnapshot is set), otherwise from every product in the store; then it
// replays every event published before Start began, so the model is
// complete as of that moment. Run continues from there.
func (f *Follower) Start(ctx context.Context, useSnapshot bool) (Loaded, error) {
	started := time.Now()
	first, end, err := f.bounds(ctx)
	if err != nil {
		return Loaded{}, err
	}
	loaded := Loaded{Source: "snapshot"}
	var from map[int]int64
	if useSnapshot {
		from, loaded.Products, err = f.cfg.Service.LoadSnapshot(ctx)
		switch {
		case err == nil && !covers(from, first, end):
			f.log.WarnContext(ctx, "read model snapshot is older than the topic's retention or newer than the topic; reading every product", "offsets", from)
			from = nil
		case errors.Is(err, store.ErrNoSnapshot):
		case err != nil:
			f.log.WarnContext(ctx, "reading the read model snapshot failed; reading every product", "error", err.Error())
			from = nil
		}
	}
	if from == nil {
		// end was read before the store: every later event is replayed
		// by Run, idempotently.
		loaded.Source, from = "store", end
		if loaded.Products, err = f.cfg.Service.LoadReadModel(ctx); err != nil {
			return Loaded{}, fmt.Errorf("load read model: %w", err)
		}
	}
	if err = f.replay(ctx, from, end, &loaded); err != nil {
		return Loaded{}, err
	}
	f.mu.Lock()
	f.offsets = maps.Clone(end)
	f.mu.Unlock()
	loaded.Took = time.Since(started)
	return loaded, nil
}

// covers reports whether a snapshot's offsets can be replayed from: on
// every partition between the first offset still kept and the end.
func covers(offsets, first, end map[int]int64) bool {
	for p, lo := range first {
		if off := offsets[p]; off < lo || off > end[p] {
			return false
		}
	}
	return true
}

// Offsets returns, per partition, the offset of the first event not yet
// applied: every earlier one is in the read model.
func (f *Follower) Offsets() map[int]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.offsets)
}

// bounds reads the first and the end offset of every partition.
func (f *Follower) bounds(ctx context.Context) (first, end map[int]int64, err error) {
	client := &kafkago.Client{Addr: kafkago.TCP(f.cfg.Brokers...), Timeout: 10 * time.Second}
	meta, err := client.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{f.cfg.Topic}})
	if err != nil {
		return nil, nil, fmt.Errorf("metadata of %s: %w", f.cfg.Topic, err)
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		return nil, nil, fmt.Errorf("metadata of %s: %v", f.cfg.Topic, meta.Topics)
	}
	var reqs []kafkago.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		reqs = append(reqs, kafkago.FirstOffsetOf(p.ID), kafkago.LastOffsetOf(p.ID))
	}
	res, err := client.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{f.cfg.Topic: reqs}})
	if err != nil {
		return nil, nil, fmt.Errorf("offsets of %s: %w", f.cfg.Topic, err)
	}
	first, end = map[int]int64{}, map[int]int64{}
	for _, po := range res.Topics[f.cfg.Topic] {
		if po.Error != nil {
			return nil, nil, fmt.Errorf("offsets of %s/%d: %w", f.cfg.Topic, po.Partition, po.Error)
		}
		first[po.Partition], end[po.Partition] = po.FirstOffset, po.LastOffset
	}
	return first, end, nil
}

func (f *Follower) reader(partition int, offset int64) (*kafkago.Reader, error) {
	r := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers: f.cfg.Brokers, Topic: f.cfg.Topic, Partition: partition,
		MinBytes: 1, MaxBytes: 10 << 20, MaxWait: f.cfg.MaxWait,
	})
	if err := r.SetOffset(offset); err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("%s/%d at %d: %w", f.cfg.Topic, partition, offset, err)
	}
	return r, nil
}

// replay applies the events between from and end, reading each product
// they touched once, at the end, and records what it did in loaded.
func (f *Follower) replay(ctx context.Context, from, end map[int]int64, loaded *Loaded) error {
	touched := &touchSet{ids: map[string]bool{}}
	for p, stop := range end {
		if from[p] >= stop {
			continue
		}
		r, err := f.reader(p, from[p])
		if err != nil {
			return err
		}
		for {
			msg, err := r.ReadMessage(ctx)
			if err != nil {
				_ = r.Close()
				return fmt.Errorf("replay %s/%d: %w", f.cfg.Topic, p, err)
			}
			loaded.Replayed++
			f.collect(msg, touched)
			if msg.Offset+1 >= stop {
				break
			}
		}
		_ = r.Close()
	}
	if len(touched.orders)+len(touched.order) > f.cfg.Service.ModelSize()/2 {
		// Reading every product is cheaper than that many lookups.
		f.log.InfoContext(ctx, "replayed events touch most products; reading every product", "events", loaded.Replayed)
		loaded.Reloaded = true
		_, err := f.cfg.Service.LoadReadModel(ctx)
		return err
	}
	err := f.apply(ctx, touched)
	loaded.Reread = len(touched.order)
	return err
}

// touchSet gathers the products events touched.
type touchSet struct {
	ids    map[string]bool
	order  []string
	orders []string // orders whose reservation names more products
}

func (t *touchSet) add(ids ...string) {
	for _, id := range ids {
		if !t.ids[id] {
			t.ids[id] = true
			t.order = append(t.order, id)
		}
	}
}

func (t *touchSet) list() []string { return t.order }

// collect adds the products msg may have changed to t. Events of no
// interest add nothing, nor do this replica's own events, whose effect it
// applied when it wrote them, unless a product event is newer than the
// model's copy (a write whose answer was lost, a timeout say).
func (f *Follower) collect(msg kafkago.Message, t *touchSet) {
	own := false
	for _, h := range msg.Headers {
		if h.Key == usecase.ReplicaHeader && string(h.Value) == f.cfg.Service.Replica() {
			own = true
		}
	}
	env, err := events.Parse(msg.Value)
	if err != nil {
		f.log.Warn("skipping an undecodable event", "partition", msg.Partition, "offset", msg.Offset, "error", err.Error())
		return
	}
	if own && !f.newerProduct(env) {
		return
	}
	ids, order, err := Touched(env)
	if err != nil {
		f.log.Warn("skipping an undecodable event", "type", env.Type, "partition", msg.Partition, "offset", msg.Offset, "error", err.Error())
		return
	}
	t.add(ids...)
	if order != "" {
		t.orders = append(t.orders, order)
	}
}

// newerProduct reports whether env is a product event of a version newer
// than the model's copy of the product.
func (f *Follower) newerProduct(env events.Envelope) bool {
	switch env.Type {
	case events.TypeProductCreated, events.TypeProductUpdated, events.TypeProductArchived:
	default:
		return false
	}
	var p events.Product
	if err := env.Decode(&p); err != nil {
		return false
	}
	return p.Version > f.cfg.Service.ModelVersion(p.ID)
}

// Touched returns the products a catalog event may have changed, and the
// order whose reservation names more of them (a stock.rejected event: the
// holds it rolled back are not in its lines). Other types touch nothing.
func Touched(env events.Envelope) (ids []string, orderID string, err error) {
	lineIDs := func(lines []events.StockLine) []string {
		out := make([]string, len(lines))
		for i, l := range lines {
			out[i] = l.ProductID
		}
		return out
	}
	switch env.Type {
	case events.TypeProductCreated, events.TypeProductUpdated, events.TypeProductArchived:
		return []string{env.Subject}, "", nil
	case events.TypeStockReserved:
		var d events.StockReserved
		err = env.Decode(&d)
		return lineIDs(d.Lines), "", err
	case events.TypeStockReleased:
		var d events.StockReleased
		err = env.Decode(&d)
		return lineIDs(d.Lines), "", err
	case events.TypeStockCommitted:
		var d events.StockCommitted
		err = env.Decode(&d)
		return lineIDs(d.Lines), "", err
	case events.TypeStockReturned:
		var d events.StockReturned
		err = env.Decode(&d)
		return lineIDs(d.Lines), "", err
	case events.TypeStockRejected:
		var d events.StockRejected
		if err = env.Decode(&d); err != nil {
			return nil, "", err
		}
		for _, l := range d.Lines {
			ids = append(ids, l.ProductID)
		}
		return ids, env.Subject, nil
	}
	return nil, "", nil
}

// Run follows every partition from where Start left off until ctx ends.
// A store read that fails is retried with backoff: the offset moves on
// only once the event's products are applied.
func (f *Follower) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for p, off := range f.Offsets() {
		wg.Add(1)
		go func() { defer wg.Done(); f.follow(ctx, p, off) }()
	}
	wg.Wait()
}

func (f *Follower) follow(ctx context.Context, partition int, offset int64) {
	backoff := func(attempt int) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(min(time.Duration(1<<min(attempt, 6))*50*time.Millisecond, 3*time.Second)):
			return true
		}
	}
	var r *kafkago.Reader
	for attempt := 0; r == nil; attempt++ {
		var err error
		if r, err = f.reader(partition, offset); err != nil {
			f.log.WarnContext(ctx, "follower cannot read its partition", "partition", partition, "error", err.Error())
			if !backoff(attempt) {
				return
			}
		}
	}
	defer r.Close()
	failures := 0
	for {
		msg, err := r.ReadMessage(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			f.log.WarnContext(ctx, "follower fetch failed", "partition", partition, "error", err.Error())
			if !backoff(failures) {
				return
			}
			continue
		}
		failures = 0
		touched := &touchSet{ids: map[string]bool{}}
		f.collect(msg, touched)
		for attempt := 0; ; attempt++ {
			if err = f.apply(ctx, touched); err == nil {
				break
			}
			f.log.WarnContext(ctx, "follower cannot read the products of an event", "partition", partition, "offset", msg.Offset, "error", err.Error())
			if !backoff(attempt) {
				return
			}
		}
		f.mu.Lock()
		f.offsets[partition] = msg.Offset + 1
		f.mu.Unlock()
	}
}

func (f *Follower) apply(ctx context.Context, t *touchSet) error {
	for _, orderID := range t.orders {
		ids, err := f.cfg.Service.OrderProducts(ctx, orderID)
		if err != nil {
			return err
		}
		t.add(ids...)
	}
	t.orders = nil
	return f.cfg.Service.RefreshProducts(ctx, t.list()...)
}

// snapshotSettle is how long a snapshot waits between reading the offsets
// and copying the model.
const snapshotSettle = time.Second

// RunSnapshots saves a snapshot of the read model every interval when the
// follower moved since the last one (a replica that loaded every product
// saves one at once, so the next start is fast), and a last one when ctx
// ends (a graceful stop).
func (f *Follower) RunSnapshots(ctx context.Context, interval time.Duration, loaded Loaded) {
	var saved map[int]int64
	if loaded.Source == "snapshot" && loaded.Replayed == 0 {
		saved = f.Offsets()
	}
	save := func(ctx context.Context) {
		offsets := f.Offsets() // before the model is copied: see usecase.SaveSnapshot
		if saved != nil && maps.Equal(offsets, saved) {
			return
		}
		// This replica's own events are skipped by the follower, and the
		// writer applies a write to the model just after the store call
		// returns: give a write whose event was already followed the time
		// to reach the model before it is copied.
		select {
		case <-ctx.Done():
			return
		case <-time.After(snapshotSettle):
		}
		started := time.Now()
		n, err := f.cfg.Service.SaveSnapshot(ctx, offsets)
		if err != nil {
			f.log.WarnContext(ctx, "saving the read model snapshot failed", "error", err.Error())
			return
		}
		saved = offsets
		f.log.InfoContext(ctx, "read model snapshot saved", "products", n, "took", time.Since(started).String())
	}
	save(ctx)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			save(ctx)
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			save(final)
			cancel()
			return
		}
	}
}
