package embedded_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded"
)

// TestLookupByIDUsesAnIndex pins the fix of the store issue: FerretDB's
// own plan for a find by a lone _id is a SCAN of the table until the
// expression index exists, and a SEARCH through it afterwards, for
// collections created before and after the server started indexing.
func TestLookupByIDUsesAnIndex(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	m, err := embedded.StartMongo(embedded.MongoOptions{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := mongo.Connect(ctx, options.Client().ApplyURI(m.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(ctx)

	coll := c.Database("plans").Collection("orders")
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "o1", "status": "pending"}); err != nil {
		t.Fatal(err)
	}
	// FerretDB pushes a lone _id down to SQL, and nothing else: a filter
	// with more than _id reads every document. This is why hot paths
	// address documents by a lone _id (docs/performance.md).
	if got := explain(t, c.Database("plans"), "orders", bson.D{{Key: "_id", Value: "o1"}}); got["filterPushdown"] != true {
		t.Fatalf("a lone _id is not pushed down: %v", got)
	}
	if got := explain(t, c.Database("plans"), "orders", bson.D{{Key: "_id", Value: "o1"}, {Key: "status", Value: "pending"}}); got["filterPushdown"] != false {
		t.Fatalf("expected no pushdown for two fields: %v", got)
	}
	if err := m.IndexIDs(ctx); err != nil {
		t.Fatal(err)
	}
	assertIndexed(t, m, "plans", "orders")

	// A collection created later is indexed by the background pass.
	later := c.Database("plans").Collection("later")
	if _, err := later.InsertOne(ctx, bson.M{"_id": "x"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !indexed(t, m, "plans", "later") {
		if time.Now().After(deadline) {
			t.Fatal("a new collection was not indexed within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A dropped database is not re-created by the indexer.
	if err := c.Database("plans").Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.IndexIDs(ctx); err != nil {
		t.Fatalf("pass after drop: %v", err)
	}
	names, err := c.ListDatabaseNames(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n == "plans" {
			t.Fatalf("dropped database came back: %v", names)
		}
	}
}

func indexed(t *testing.T, m *embedded.Mongo, db, coll string) bool {
	t.Helper()
	plans, err := m.PlansByID(context.Background(), db, coll)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if !strings.Contains(p, "USING INDEX") || !strings.Contains(p, "_mercato_id") {
			return false
		}
	}
	return true
}

func assertIndexed(t *testing.T, m *embedded.Mongo, db, coll string) {
	t.Helper()
	if !indexed(t, m, db, coll) {
		plans, _ := m.PlansByID(context.Background(), db, coll)
		t.Fatalf("%s.%s: lookups by _id are not index searches: %q", db, coll, plans)
	}
}

func explain(t *testing.T, db *mongo.Database, coll string, filter bson.D) bson.M {
	t.Helper()
	var res bson.M
	cmd := bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: coll}, {Key: "filter", Value: filter}}}}
	if err := db.RunCommand(context.Background(), cmd).Decode(&res); err != nil {
		t.Fatalf("explain: %v", err)
	}
	return res
}

// BenchmarkLookupsAt100k measures, at 100,000 documents in one
// collection, a find by _id, an update by _id and a guarded update through
// mongodb.Writer as the embedded services run it (one write connection),
// reporting p50 and p99 besides the mean:
//
//	go test ./testkit/embedded -run '^$' -bench LookupsAt100k -benchtime 2000x
func BenchmarkLookupsAt100k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	m, err := embedded.StartMongo(embedded.MongoOptions{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	db, err := mongodb.Connect(ctx, config.Mongo{MongoURI: m.URI(), MongoDatabase: "bench", MongoSingleWriter: true, MongoReadPoolSize: 4}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close(ctx)
	coll := db.Write.Collection("orders")
	const n = 100_000
	batch := make([]any, 0, 1000)
	for i := 0; i < n; i++ {
		batch = append(batch, bson.M{"_id": fmt.Sprintf("o%06d", i), "status": "paid", "version": 1, "total": i,
			"lines": bson.A{bson.M{"product_id": "p1", "merchant_id": "m1", "quantity": 1, "unit_price": bson.M{"amount": 1200, "currency": "EUR"}}}})
		if len(batch) == cap(batch) {
			if _, err := coll.InsertMany(ctx, batch, options.InsertMany().SetOrdered(false)); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := m.IndexIDs(ctx); err != nil {
		b.Fatal(err)
	}
	id := func(i int) string { return fmt.Sprintf("o%06d", (i*7919)%n) }
	timed := func(b *testing.B, op func(i int) error) {
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			began := time.Now()
			if err := op(i); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(began))
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.Run("find", func(b *testing.B) {
		timed(b, func(i int) error { return db.Read.Collection("orders").FindOne(ctx, bson.M{"_id": id(i)}).Err() })
	})
	b.Run("update", func(b *testing.B) {
		timed(b, func(i int) error {
			_, err := coll.UpdateOne(ctx, bson.M{"_id": id(i)}, bson.M{"$inc": bson.M{"total": 1}})
			return err
		})
	})
	b.Run("guarded", func(b *testing.B) {
		timed(b, func(i int) error {
			_, err := db.Writer.UpdateOne(ctx, coll, id(i), bson.M{"status": "paid"}, bson.M{"$inc": bson.M{"version": 1}}, false)
			return err
		})
	})
}
