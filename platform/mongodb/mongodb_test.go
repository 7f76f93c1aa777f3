package mongodb_test

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// connect opens a Store on a database no other test uses; it calls Connect
// itself (not embeddedtest.Database) to test both writer modes.
func connect(t *testing.T, singleWriter bool) *mongodb.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := config.Mongo{
		MongoURI:          embeddedtest.MongoURI(),
		MongoDatabase:     embeddedtest.UniqueName("test"),
		MongoSingleWriter: singleWriter,
		MongoReadPoolSize: 8,
	}
	s, err := mongodb.Connect(ctx, cfg, "svc")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// TestSingleWriterMakesConditionalDecrementsExact is the race of
// docs/architecture.md "Storage rules": over one write connection, FerretDB's
// conditional updates never oversell.
func TestSingleWriterMakesConditionalDecrementsExact(t *testing.T) {
	s := connect(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	coll := s.Write.Collection("stock")
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "p1", "stock": 50}); err != nil {
		t.Fatal(err)
	}
	const attempts = 200
	var successes atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, attempts)
	for range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := coll.UpdateOne(ctx, bson.M{"_id": "p1", "stock": bson.M{"$gte": 1}}, bson.M{"$inc": bson.M{"stock": -1}})
			if err != nil {
				errs <- err
				return
			}
			if res.ModifiedCount == 1 {
				successes.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("update: %v", err)
	}
	var doc struct{ Stock int }
	if err := s.Read.Collection("stock").FindOne(ctx, bson.M{"_id": "p1"}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if successes.Load() != 50 || doc.Stock != 0 {
		t.Fatalf("successes=%d stock=%d, want 50 and 0", successes.Load(), doc.Stock)
	}
}

func TestWriteSharesReadClientWithoutSingleWriter(t *testing.T) {
	shared := connect(t, false)
	if shared.Write.Client() != shared.Read.Client() {
		t.Fatal("without single writer, Write should use the read client")
	}
	single := connect(t, true)
	if single.Write.Client() == single.Read.Client() {
		t.Fatal("with single writer, Write should have its own client")
	}
}

func TestDatabaseNameDefaultsToService(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := mongodb.Connect(ctx, config.Mongo{MongoURI: embeddedtest.MongoURI()}, "orders")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if s.Read.Name() != "orders" || s.Write.Name() != "orders" {
		t.Fatalf("database names %q/%q, want orders", s.Read.Name(), s.Write.Name())
	}
}

func TestUniqueIndexViolationIsConflict(t *testing.T) {
	s := connect(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	coll := s.Write.Collection("users")
	idx := mongo.IndexModel{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true).SetName("email_unique")}
	for range 2 { // idempotent at start-up
		if err := mongodb.EnsureIndexes(ctx, coll, idx); err != nil {
			t.Fatalf("ensure indexes: %v", err)
		}
	}
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "u1", "email": "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "u2", "email": "b@example.com"}); err != nil {
		t.Fatal(err)
	}

	_, err := coll.InsertOne(ctx, bson.M{"_id": "u3", "email": "a@example.com"})
	if !mongodb.IsDuplicateKey(err) {
		t.Fatalf("insert duplicate: IsDuplicateKey false for %v", err)
	}
	if got := mongodb.Translate(err, "insert user"); !errors.Is(got, apperr.ErrConflict) {
		t.Fatalf("insert duplicate translated to %v, want ErrConflict", got)
	}

	// FerretDB reports an update's violation differently from an insert's.
	_, err = coll.UpdateOne(ctx, bson.M{"_id": "u2"}, bson.M{"$set": bson.M{"email": "a@example.com"}})
	if got := mongodb.Translate(err, "update user"); !errors.Is(got, apperr.ErrConflict) {
		t.Fatalf("update duplicate translated to %v, want ErrConflict", got)
	}
}

func TestTranslate(t *testing.T) {
	s := connect(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.Read.Collection("none").FindOne(ctx, bson.M{"_id": "missing"}).Err()
	got := mongodb.Translate(err, "find thing missing")
	if !errors.Is(got, apperr.ErrNotFound) || got.Error() != "find thing missing: not found: mongo: no documents in result" {
		t.Fatalf("translated %v", got)
	}
	if mongodb.Translate(nil, "x") != nil {
		t.Fatal("Translate(nil) must be nil")
	}
	expired, cancelExpired := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancelExpired()
	err = s.Read.Collection("none").FindOne(expired, bson.M{"_id": "x"}).Err()
	if got := mongodb.Translate(err, "find"); !errors.Is(got, apperr.ErrUnavailable) {
		t.Fatalf("deadline translated to %v, want ErrUnavailable", got)
	}
	other := errors.New("boom")
	if got := mongodb.Translate(other, "op"); !errors.Is(got, other) || errors.Is(got, apperr.ErrUnavailable) || got.Error() != "op: boom" {
		t.Fatalf("other error translated to %v", got)
	}
}

func TestPing(t *testing.T) {
	s := connect(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	s.Close(ctx)
	if err := s.Ping(ctx); !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("ping after close: %v, want ErrUnavailable", err)
	}
}

func TestConnectToClosedPortFailsQuickly(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	start := time.Now()
	_, err = mongodb.Connect(context.Background(), config.Mongo{MongoURI: "mongodb://" + addr}, "svc")
	elapsed := time.Since(start)
	if !errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("connect to closed port: %v, want ErrUnavailable", err)
	}
	if elapsed > 8*time.Second {
		t.Fatalf("connect took %v; the server selection timeout should bound it", elapsed)
	}
}

// FerretDB v1 dropped the connection when one createIndexes command named
// several indexes that all existed; a restarted service then crash-looped.
func TestEnsureIndexesTwiceWithSeveralIndexes(t *testing.T) {
	s := connect(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	coll := s.Write.Collection("orders")
	models := []mongo.IndexModel{
		{Keys: bson.D{{Key: "shopper_id", Value: 1}, {Key: "created_at", Value: -1}}},
		{Keys: bson.D{{Key: "merchant_ids", Value: 1}}},
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "deadline", Value: 1}}},
	}
	for run := range 3 {
		if err := mongodb.EnsureIndexes(ctx, coll, models...); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("store unusable after re-creating indexes: %v", err)
	}
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var specs []bson.M
	if err := cur.All(ctx, &specs); err != nil {
		t.Fatal(err)
	}
	if len(specs) != len(models)+1 { // and _id
		t.Fatalf("%d indexes, want %d: %v", len(specs), len(models)+1, specs)
	}
}
