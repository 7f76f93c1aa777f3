package consumer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/consumer"
	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// replica is one catalog process: its own connections, relay, read model
// and follower, on a database other replicas share.
type replica struct {
	svc      *usecase.Service
	model    *readmodel.Model
	store    *store.Store
	follower *consumer.Follower
}

// newReplica starts a replica on database dbName: its relay runs until
// the test ends; its follower only once started with start.
func newReplica(t *testing.T, dbName string) *replica {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	brokers := embeddedtest.Brokers()
	if err := kafka.EnsureTopics(ctx, brokers, 3, 1, events.TopicCatalog); err != nil {
		t.Fatal(err)
	}
	writer := kafka.NewWriter(brokers)
	logger := slog.New(slog.DiscardHandler)
	relay := outbox.NewRelay(writer, outbox.RelayOptions{SweepInterval: time.Second, Logger: logger})
	st := store.New(embeddedtest.Database(t, config.Mongo{MongoDatabase: dbName, MongoReadPoolSize: 4}), relay)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	model := readmodel.New(func(p domain.Product) []byte { b, _ := json.Marshal(p.ID); return b })
	svc := usecase.New(usecase.Options{Store: st, Model: model, Logger: logger})
	done := make(chan struct{})
	go func() { relay.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; _ = writer.Close() })
	return &replica{svc: svc, model: model, store: st,
		follower: consumer.NewFollower(consumer.FollowerConfig{Brokers: brokers, Service: svc, MaxWait: 200 * time.Millisecond, Logger: logger})}
}

// start loads the replica's model as the service does before serving and
// follows catalog.events until the test ends.
func (r *replica) start(t *testing.T, useSnapshot bool) consumer.Loaded {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	loaded, err := r.follower.Start(ctx, useSnapshot)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { r.follower.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return loaded
}

// within polls cond until it holds or d has passed since start, and fails
// the test with what otherwise.
func within(t *testing.T, start time.Time, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not seen within %v", what, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("%s: seen after %v", what, time.Since(start).Round(time.Millisecond))
}

func searchIDs(m *readmodel.Model, text string) []string {
	q, err := domain.ParseQuery(map[string][]string{"q": {text}})
	if err != nil {
		panic(err)
	}
	var out []string
	for _, raw := range m.Search(q).Items {
		var id string
		_ = json.Unmarshal(raw, &id)
		out = append(out, id)
	}
	return out
}

// TestReplicaSeesAnotherReplicasWritesWithinOneSecond writes on replica A
// and polls replica B's read model (what its browse and search answer
// from): a new product, a restock, a reservation, its sale and refund
// (stock events name the products, they do not carry them) and an archive
// each show within 1 s.
func TestReplicaSeesAnotherReplicasWritesWithinOneSecond(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dbName := embeddedtest.UniqueName("follow")
	a, b := newReplica(t, dbName), newReplica(t, dbName)
	a.start(t, true)
	desk, err := a.svc.CreateProduct(ctx, "m1", domain.Draft{SKU: "D1", Name: "Walnut desk", Category: "furniture", Price: domain.Money{Amount: 30000, Currency: "USD"}, Stock: 5})
	if err != nil {
		t.Fatal(err)
	}
	if loaded := b.start(t, true); loaded.Source != "store" || b.model.Len() != 1 {
		t.Fatalf("B loaded %+v with %d products, want the one product from the store", loaded, b.model.Len())
	}

	written := time.Now()
	lamp, err := a.svc.CreateProduct(ctx, "m1", domain.Draft{SKU: "L1", Name: "Maple lamp", Category: "lighting", Price: domain.Money{Amount: 4000, Currency: "USD"}, Stock: 2})
	if err != nil {
		t.Fatal(err)
	}
	within(t, written, time.Second, "new product in B's search", func() bool {
		ids := searchIDs(b.model, "maple")
		return len(ids) == 1 && ids[0] == lamp.ID
	})

	written = time.Now()
	if _, err := a.svc.Restock(ctx, "m1", desk.ID, 3); err != nil {
		t.Fatal(err)
	}
	within(t, written, time.Second, "restock on B", func() bool {
		p, _ := b.model.Get(desk.ID)
		return p.Stock.Available == 8
	})

	written = time.Now()
	if err := a.svc.Reserve(ctx, "order-follow-1", []domain.Line{{ProductID: desk.ID, Quantity: 2}}); err != nil {
		t.Fatal(err)
	}
	within(t, written, time.Second, "reservation on B", func() bool {
		p, _ := b.model.Get(desk.ID)
		return p.Stock.Available == 6 && p.Stock.Held == 2
	})

	written = time.Now()
	if err := a.svc.Commit(ctx, "order-follow-1"); err != nil {
		t.Fatal(err)
	}
	within(t, written, time.Second, "sale on B", func() bool {
		p, _ := b.model.Get(desk.ID)
		return p.Stock.Available == 6 && p.Stock.Held == 0 && p.Stock.Sold == 2
	})

	written = time.Now()
	if err := a.svc.Cancel(ctx, "order-follow-1"); err != nil { // paid: a refund returns the units
		t.Fatal(err)
	}
	within(t, written, time.Second, "refund's return on B", func() bool {
		p, _ := b.model.Get(desk.ID)
		return p.Stock.Available == 8 && p.Stock.Sold == 0
	})

	written = time.Now()
	if err := a.svc.ArchiveProduct(ctx, "m1", lamp.ID); err != nil {
		t.Fatal(err)
	}
	within(t, written, time.Second, "archive on B", func() bool { return len(searchIDs(b.model, "maple")) == 0 })

	// B's own write is applied at once and A sees it too.
	written = time.Now()
	if _, err := b.svc.Restock(ctx, "m1", desk.ID, 1); err != nil {
		t.Fatal(err)
	}
	if p, _ := b.model.Get(desk.ID); p.Stock.Available != 9 {
		t.Fatalf("B's own restock not applied at once: %+v", p.Stock)
	}
	within(t, written, time.Second, "B's restock on A", func() bool {
		p, _ := a.model.Get(desk.ID)
		return p.Stock.Available == 9
	})

	// An older copy (a redelivered event's product) never replaces the newer one.
	if b.model.Apply(desk) {
		t.Fatal("B applied version 1 over a newer version")
	}
	if p, _ := b.model.Get(desk.ID); p.Stock.Available != 9 {
		t.Fatalf("B's desk %+v after an old copy", p.Stock)
	}
}

// TestStartFromSnapshotReplaysLaterEvents saves a snapshot on replica A,
// writes more, and starts replica C: it loads the snapshot, replays every
// event published since (each product read once), and is complete before
// it would serve: every product at the store's version.
func TestStartFromSnapshotReplaysLaterEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dbName := embeddedtest.UniqueName("snapshot")
	a := newReplica(t, dbName)
	a.start(t, true)
	// The topic is the package's: earlier tests' events are on it too.
	base := applied(a.follower)
	var ids []string
	for i := range 12 {
		p, err := a.svc.CreateProduct(ctx, "m1", domain.Draft{SKU: fmt.Sprintf("S%d", i), Name: "Oak shelf", Category: "furniture", Price: domain.Money{Amount: 100, Currency: "USD"}, Stock: 10})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	// Wait until A's follower has passed A's own events, then snapshot.
	within(t, time.Now(), 5*time.Second, "A's follower past its events", func() bool { return applied(a.follower) >= base+12 })
	if _, err := a.svc.SaveSnapshot(ctx, a.follower.Offsets()); err != nil {
		t.Fatal(err)
	}
	// Later writes: a restock, a new product, a reservation and a rejection.
	if _, err := a.svc.Restock(ctx, "m1", ids[0], 5); err != nil {
		t.Fatal(err)
	}
	late, err := a.svc.CreateProduct(ctx, "m1", domain.Draft{SKU: "LATE", Name: "Pine crate", Category: "furniture", Price: domain.Money{Amount: 100, Currency: "USD"}, Stock: 1})
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, late.ID)
	if err := a.svc.Reserve(ctx, "order-snap-1", []domain.Line{{ProductID: ids[1], Quantity: 4}}); err != nil {
		t.Fatal(err)
	}
	if err := a.svc.Reserve(ctx, "order-snap-2", []domain.Line{{ProductID: ids[2], Quantity: 3}, {ProductID: late.ID, Quantity: 9}}); err != nil {
		t.Fatal(err)
	}
	// Every event of those writes is on the topic before C starts.
	within(t, time.Now(), 5*time.Second, "A's follower past the later events", func() bool { return applied(a.follower) >= base+12+4 })

	c := newReplica(t, dbName)
	loaded := c.start(t, true)
	// The 4 later events touch 4 products (the rejected order's 2 read
	// from its reservation): each is read once.
	if loaded.Source != "snapshot" || loaded.Products != 12 || loaded.Replayed != 4 || loaded.Reread != 4 || loaded.Reloaded {
		t.Fatalf("C loaded %+v, want 12 products from the snapshot, the 4 later events replayed and 4 products read", loaded)
	}
	for _, id := range ids {
		want, _, err := c.store.Product(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		got, ok := c.model.Get(id)
		if !ok || got.Version != want.Version || got.Stock != want.Stock {
			t.Errorf("C has %s at version %d stock %+v, the store at version %d stock %+v", id, got.Version, got.Stock, want.Version, want.Stock)
		}
	}
}

// applied is the number of events f has passed, over every partition.
func applied(f *consumer.Follower) int64 {
	var n int64
	for _, off := range f.Offsets() {
		n += off
	}
	return n
}

func TestTouchedNamesTheProductsOfEachEventType(t *testing.T) {
	env := func(typ, subject string, data any) events.Envelope {
		e, err := events.New(events.SourceCatalog, typ, subject, data)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	lines := []events.StockLine{{ProductID: "p1", Quantity: 1}, {ProductID: "p2", Quantity: 2}}
	cases := []struct {
		env   events.Envelope
		ids   []string
		order string
	}{
		{env(events.TypeProductUpdated, "p9", events.Product{ID: "p9"}), []string{"p9"}, ""},
		{env(events.TypeStockReserved, "o1", events.StockReserved{OrderID: "o1", Lines: lines}), []string{"p1", "p2"}, ""},
		{env(events.TypeStockCommitted, "o1", events.StockCommitted{OrderID: "o1", Lines: lines}), []string{"p1", "p2"}, ""},
		{env(events.TypeStockReleased, "o1", events.StockReleased{OrderID: "o1", Lines: lines}), []string{"p1", "p2"}, ""},
		{env(events.TypeStockReturned, "o1", events.StockReturned{OrderID: "o1", Lines: lines}), []string{"p1", "p2"}, ""},
		{env(events.TypeStockRejected, "o2", events.StockRejected{OrderID: "o2", Lines: []events.RejectedLine{{ProductID: "p3"}}}), []string{"p3"}, "o2"},
		{env(events.TypeOrderPaid, "o1", events.OrderPaid{OrderID: "o1"}), nil, ""},
	}
	for _, c := range cases {
		ids, order, err := consumer.Touched(c.env)
		if err != nil || order != c.order || len(ids) != len(c.ids) {
			t.Fatalf("%s: ids %v order %q err %v, want %v %q", c.env.Type, ids, order, err, c.ids, c.order)
		}
		for i := range ids {
			if ids[i] != c.ids[i] {
				t.Fatalf("%s: ids %v, want %v", c.env.Type, ids, c.ids)
			}
		}
	}
}

// TestReadyWithTenThousandProductsFromSnapshot starts a replica on a
// catalog of 10,000 products that another replica snapshotted: the model
// is complete (every product, searchable) well within the bound, where
// reading every product from the embedded store takes about 5 s. The
// products are put in A's model directly: start-up from a snapshot reads
// no product documents (catalogbench -startup measures both paths on a
// seeded store).
func TestReadyWithTenThousandProductsFromSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 products")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const n = 10_000
	dbName := embeddedtest.UniqueName("ready")
	a := newReplica(t, dbName)
	a.start(t, true)
	seeded := time.Now()
	products := make([]domain.Product, n)
	created := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range products {
		p := domain.NewProduct(fmt.Sprintf("p-%05d", i), fmt.Sprintf("m%d", i%50), domain.Draft{
			SKU: fmt.Sprintf("SKU-%05d", i), Name: fmt.Sprintf("%s %s", adjectives[i%len(adjectives)], nouns[(i/len(adjectives))%len(nouns)]),
			Description: "A sturdy thing for everyday use", Category: fmt.Sprintf("c%d", i%20),
			Price: domain.Money{Amount: int64(100 + i), Currency: "USD"}, Stock: int64(i % 7), Images: []string{"https://img.example/a.jpg"},
		}, created.Add(time.Duration(i)*time.Second))
		products[i] = p
	}
	a.model.Load(products)
	t.Logf("seeded %d products in %v", n, time.Since(seeded).Round(time.Millisecond))
	if _, err := a.svc.SaveSnapshot(ctx, a.follower.Offsets()); err != nil {
		t.Fatal(err)
	}

	b := newReplica(t, dbName)
	started := time.Now()
	loaded := b.start(t, true)
	took := time.Since(started)
	t.Logf("ready with %d products in %v (%+v)", b.model.Len(), took.Round(time.Millisecond), loaded)
	if loaded.Source != "snapshot" || b.model.Len() != n {
		t.Fatalf("loaded %+v with %d products, want all %d from the snapshot", loaded, b.model.Len(), n)
	}
	if took > 2500*time.Millisecond {
		t.Fatalf("ready after %v, want under 2.5 s", took)
	}
	if got := searchIDs(b.model, "wire head"); len(got) == 0 {
		t.Fatal("search finds nothing in the loaded model")
	}
	if p, ok := b.model.Get("p-09999"); !ok || p.Version != products[n-1].Version || p.Name != products[n-1].Name || p.Stock != products[n-1].Stock {
		t.Fatalf("last product %+v, want %+v", p, products[n-1])
	}
}

var (
	adjectives = []string{"wireless", "wooden", "vintage", "compact", "organic", "electric", "portable", "classic", "modern", "rustic"}
	nouns      = []string{"headphones", "chair", "lamp", "kettle", "notebook", "speaker", "blanket", "camera", "jacket", "backpack"}
)

// TestOwnEventNewerThanTheModelIsApplied: a write of this replica whose
// answer was lost (simulated by a second service signing as the same
// replica, on another model) still reaches the model through its event.
func TestOwnEventNewerThanTheModelIsApplied(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := newReplica(t, embeddedtest.UniqueName("own"))
	a.start(t, true)
	lost := usecase.New(usecase.Options{Store: a.store, Model: readmodel.New(func(domain.Product) []byte { return nil }), Replica: a.svc.Replica()})
	written := time.Now()
	p, err := lost.CreateProduct(ctx, "m1", domain.Draft{SKU: "X1", Name: "Cedar box", Category: "home", Price: domain.Money{Amount: 900, Currency: "USD"}, Stock: 1})
	if err != nil {
		t.Fatal(err)
	}
	within(t, written, time.Second, "own product whose answer was lost", func() bool {
		_, ok := a.model.Get(p.ID)
		return ok
	})
}

// TestRunSnapshotsSavesWhatChanged runs the snapshot worker: a replica
// that read every product saves a snapshot at once, and a later write is
// in a later snapshot, with offsets past its event.
func TestRunSnapshotsSavesWhatChanged(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := newReplica(t, embeddedtest.UniqueName("snapshots"))
	if _, err := a.svc.CreateProduct(ctx, "m1", domain.Draft{SKU: "A1", Name: "Teak bench", Category: "garden", Price: domain.Money{Amount: 100, Currency: "USD"}, Stock: 1}); err != nil {
		t.Fatal(err)
	}
	loaded := a.start(t, true)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.follower.RunSnapshots(runCtx, 100*time.Millisecond, loaded); close(done) }()
	defer func() { stop(); <-done }()

	snapshotHas := func(id string) func() bool {
		return func() bool {
			snap, err := a.store.LoadSnapshot(ctx)
			if err != nil {
				return false
			}
			products, err := readmodel.DecodeChunks(snap.Chunks)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range products {
				if p.ID == id {
					return true
				}
			}
			return false
		}
	}
	within(t, time.Now(), 10*time.Second, "first snapshot", func() bool { _, err := a.store.LoadSnapshot(ctx); return err == nil })
	before, err := a.store.LoadSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.svc.CreateProduct(ctx, "m1", domain.Draft{SKU: "A2", Name: "Elm stool", Category: "garden", Price: domain.Money{Amount: 100, Currency: "USD"}, Stock: 1})
	if err != nil {
		t.Fatal(err)
	}
	within(t, time.Now(), 10*time.Second, "the new product in a later snapshot", snapshotHas(p.ID))
	after, err := a.store.LoadSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var moved int64
	for part, off := range after.Offsets {
		moved += off - before.Offsets[part]
	}
	if after.Generation == before.Generation || moved < 1 {
		t.Fatalf("snapshots %+v then %+v: want a new generation past the new product's event", before.Offsets, after.Offsets)
	}
}
