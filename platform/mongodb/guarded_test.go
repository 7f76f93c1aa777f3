package mongodb_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestWriterDecrementsAreExact is the 300-concurrent-decrements race of
// docs/architecture.md "Storage rules" through the Writer on the embedded
// store: a guard judged in Go and a write by _id alone never oversell.
func TestWriterDecrementsAreExact(t *testing.T) {
	s := connect(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	coll := s.Write.Collection("stock")
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "p1", "stock": 100}); err != nil {
		t.Fatal(err)
	}
	const attempts = 300
	var successes atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, attempts)
	for i := 0; i < attempts; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.Writer.UpdateOne(ctx, coll, "p1", bson.M{"stock": bson.M{"$gte": 1}}, bson.M{"$inc": bson.M{"stock": -1}}, false)
			if err != nil {
				errs <- err
				return
			}
			if ok {
				successes.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var doc struct{ Stock int }
	if err := coll.FindOne(ctx, bson.M{"_id": "p1"}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if successes.Load() != 100 || doc.Stock != 0 {
		t.Fatalf("successes=%d stock=%d, want 100 and 0", successes.Load(), doc.Stock)
	}
}

// TestWriterGuardsAgreeWithTheServer judges each guard twice: by the
// Writer's emulation and by FerretDB's own query engine (a find with the
// guard as its filter), on the same document.
func TestWriterGuardsAgreeWithTheServer(t *testing.T) {
	s := connect(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	coll := s.Write.Collection("guards")
	doc := bson.M{
		"_id": "d1", "status": "pending", "version": int64(3), "n32": int32(5), "price": 2.5,
		"tags":  bson.A{"a", "b"},
		"holds": bson.M{"o1": bson.M{"qty": int64(2), "released": true}},
		"at":    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	if _, err := coll.InsertOne(ctx, doc); err != nil {
		t.Fatal(err)
	}
	guards := []bson.M{
		{"status": "pending"}, {"status": "paid"},
		{"status": "pending", "version": 3}, {"status": "pending", "version": int64(4)},
		{"version": bson.M{"$gte": 3}}, {"version": bson.M{"$gt": 3}}, {"version": bson.M{"$lt": 3.5}}, {"version": bson.M{"$lte": 2}},
		{"n32": int64(5)}, {"price": bson.M{"$gte": 2}},
		{"status": bson.M{"$in": bson.A{"paid", "pending"}}}, {"status": bson.M{"$in": bson.A{"paid"}}},
		{"status": bson.M{"$nin": bson.A{"paid"}}}, {"status": bson.M{"$ne": "pending"}},
		{"holds.o1.qty": int64(2)}, {"holds.o1.qty": 3}, {"holds.o1.released": true},
		{"holds.o2": bson.M{"$exists": false}}, {"holds.o1": bson.M{"$exists": false}}, {"holds.o1": bson.M{"$exists": true}},
		{"missing": nil}, {"status": nil}, {"tags": "a"}, {"tags": "c"},
		{"at": bson.M{"$lt": time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"status": bson.M{"$gte": "p"}}, {"version": bson.M{"$gte": "3"}},
	}
	for _, g := range guards {
		filter := bson.M{"_id": "d1"}
		for k, v := range g {
			filter[k] = v
		}
		n, err := coll.CountDocuments(ctx, filter)
		if err != nil {
			t.Fatalf("server on %v: %v", g, err)
		}
		ok, err := s.Writer.UpdateOne(ctx, coll, "d1", g, bson.M{"$set": bson.M{"touched": true}}, false)
		if err != nil {
			t.Fatalf("writer on %v: %v", g, err)
		}
		if ok != (n == 1) {
			t.Errorf("guard %v: writer says %v, server matched %d", g, ok, n)
		}
	}
	if _, err := s.Writer.UpdateOne(ctx, coll, "d1", bson.M{"$or": bson.A{}}, bson.M{"$set": bson.M{"x": 1}}, false); err == nil {
		t.Error("an unsupported guard must be an error, not a guess")
	}
}

// TestWriterSendsOnlyTheID checks, with the driver's command monitor, that
// on the embedded store every command a guarded write sends filters by a
// lone _id (the one shape FerretDB serves from an index), and on MongoDB
// mode the guard goes to the server in one command.
func TestWriterSendsOnlyTheID(t *testing.T) {
	for _, emulate := range []bool{true, false} {
		t.Run(fmt.Sprintf("emulate=%v", emulate), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var mu sync.Mutex
			var filters []bson.Raw
			monitor := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
				mu.Lock()
				defer mu.Unlock()
				filters = append(filters, commandFilters(e)...)
			}}
			c, err := mongo.Connect(ctx, options.Client().ApplyURI(embeddedtest.MongoURI()).SetMaxPoolSize(1).SetMonitor(monitor))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Disconnect(ctx)
			coll := c.Database(embeddedtest.UniqueName("shape")).Collection("orders")
			if _, err := coll.InsertOne(ctx, bson.M{"_id": "o1", "status": "pending", "version": 1}); err != nil {
				t.Fatal(err)
			}
			w := mongodb.NewWriter(emulate)
			guard := bson.M{"status": "pending", "version": 1}
			if ok, err := w.UpdateOne(ctx, coll, "o1", guard, bson.M{"$inc": bson.M{"version": 1}}, false); err != nil || !ok {
				t.Fatalf("update: %v %v", ok, err)
			}
			if ok, err := w.DeleteOne(ctx, coll, "o1", bson.M{"version": 1}); err != nil || ok {
				t.Fatalf("stale delete: %v %v", ok, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, f := range filters {
				elems, _ := f.Elements()
				lone := len(elems) == 1 && elems[0].Key() == "_id"
				if emulate && !lone {
					t.Errorf("embedded mode sent a filter beside _id: %s", f)
				}
				if !emulate && lone {
					t.Errorf("MongoDB mode dropped the guard: %s", f)
				}
			}
			if len(filters) == 0 {
				t.Fatal("no filters seen")
			}
		})
	}
}

// commandFilters returns the filters of a find, update or delete command.
func commandFilters(e *event.CommandStartedEvent) []bson.Raw {
	var out []bson.Raw
	switch e.CommandName {
	case "find":
		if f, err := e.Command.LookupErr("filter"); err == nil {
			out = append(out, f.Document())
		}
	case "update", "delete":
		field := map[string]string{"update": "updates", "delete": "deletes"}[e.CommandName]
		if arr, err := e.Command.LookupErr(field); err == nil {
			vals, _ := arr.Array().Values()
			for _, v := range vals {
				out = append(out, v.Document().Lookup("q").Document())
			}
		}
	}
	return out
}
