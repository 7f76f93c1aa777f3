// Package embeddedtest is the shared test infrastructure of Mercato: it
// starts the embedded Kafka broker (kfake) and FerretDB of package embedded
// once per test package, on random ports with temporary data folders, and
// gives each test its own database and topics on them.
//
// Import it from _test.go files (and test-only helper packages such as
// payments/internal/testenv) only; production code never does.
//
//	func TestMain(m *testing.M) {
//		os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
//	}
//
//	func TestSomething(t *testing.T) {
//		db := embeddedtest.Database(t, config.Mongo{}) // a fresh database
//		...
//	}
//
// With MERCATO_TEST_MONGO_URI set (a mongodb:// URI of a real MongoDB that
// tests may create and drop databases on), Main starts no FerretDB: every
// store test of the package runs against that MongoDB instead, with the
// settings production uses there (no single writer). The store tests are
// so the contract suites of the stores, on both backends:
//
//	MERCATO_TEST_MONGO_URI=mongodb://127.0.0.1:27017 go test ./orders/internal/store/
//
// What only the embedded store needs checking (SQLite's query plans) is
// skipped there; OnMongoDB tells a test which backend it is on.
package embeddedtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded"
)

// Options say which servers Main starts.
type Options struct {
	// Kafka starts a kfake broker (KafkaAddr, Brokers, Topic).
	Kafka bool
	// Mongo starts FerretDB (MongoURI, Database).
	Mongo bool
}

// MongoURIVariable names the environment variable that points the store
// tests at a real MongoDB instead of the embedded FerretDB.
const MongoURIVariable = "MERCATO_TEST_MONGO_URI"

// The servers Main started; set before m.Run and only read by tests.
var (
	kafkaAddr   string
	mongoURI    string
	mongoServer *embedded.Mongo // nil on MongoDB
)

// OnMongoDB reports whether the package's store tests run against the
// MongoDB of MERCATO_TEST_MONGO_URI rather than the embedded FerretDB.
func OnMongoDB() bool { return mongoURI != "" && mongoServer == nil }

// Main starts the servers opts asks for in a temporary folder, runs the
// package's tests, stops the servers and removes the folder. It returns
// the exit code for os.Exit; a server that does not start is reported on
// stderr and gives exit code 1 without running the tests.
func Main(m *testing.M, opts Options) int {
	dir, err := os.MkdirTemp("", "mercato-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "embeddedtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if uri := strings.TrimSpace(os.Getenv(MongoURIVariable)); opts.Mongo && uri != "" {
		mongoURI = uri
	} else if opts.Mongo {
		srv, err := embedded.StartMongo(embedded.MongoOptions{DataDir: filepath.Join(dir, "mongo")})
		if err != nil {
			fmt.Fprintln(os.Stderr, "embeddedtest:", err)
			return 1
		}
		defer srv.Close()
		mongoURI = srv.URI()
		mongoServer = srv
	}
	if opts.Kafka {
		srv, err := embedded.StartKafka(embedded.KafkaOptions{DataDir: filepath.Join(dir, "kafka")})
		if err != nil {
			fmt.Fprintln(os.Stderr, "embeddedtest:", err)
			return 1
		}
		defer srv.Close()
		kafkaAddr = srv.Addr()
	}
	return m.Run()
}

// MongoURI is the mongodb:// URI of the package's FerretDB. It panics
// unless Main was called with Options.Mongo.
func MongoURI() string {
	if mongoURI == "" {
		panic("embeddedtest: FerretDB is not running: call embeddedtest.Main with Options{Mongo: true} from TestMain")
	}
	return mongoURI
}

// KafkaAddr is the host:port of the package's kfake broker. It panics
// unless Main was called with Options.Kafka.
func KafkaAddr() string {
	if kafkaAddr == "" {
		panic("embeddedtest: Kafka is not running: call embeddedtest.Main with Options{Kafka: true} from TestMain")
	}
	return kafkaAddr
}

// Brokers is KafkaAddr as the broker list the kafka package takes.
func Brokers() []string { return []string{KafkaAddr()} }

var nameCounter atomic.Int64

// UniqueName returns prefix followed by a suffix no other call in this
// process returns: for databases, topics, groups and other names that
// tests must not share.
func UniqueName(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano(), nameCounter.Add(1))
}

// Database connects to a database on the package's FerretDB as a service
// does in embedded mode (mongodb.Connect with MongoSingleWriter), or on the
// MongoDB of MERCATO_TEST_MONGO_URI as a service does there (no single
// writer), and disconnects when the test ends. cfg.MongoDatabase names the
// database; when it is empty the database is a fresh one no other test
// uses, dropped at the end on MongoDB. cfg.MongoURI and
// cfg.MongoSingleWriter are set by Database; cfg.MongoReadPoolSize is kept
// (0 is the driver's default).
func Database(t testing.TB, cfg config.Mongo) *mongodb.Store {
	t.Helper()
	cfg.MongoURI = MongoURI()
	cfg.MongoSingleWriter = !OnMongoDB()
	fresh := cfg.MongoDatabase == ""
	if fresh {
		cfg.MongoDatabase = UniqueName("test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := mongodb.Connect(ctx, cfg, cfg.MongoDatabase)
	if err != nil {
		t.Fatalf("connect to database %s: %v", cfg.MongoDatabase, err)
	}
	t.Cleanup(func() {
		if fresh && OnMongoDB() {
			_ = db.Write.Drop(context.Background())
		}
		db.Close(context.Background())
	})
	return db
}

// Topic creates a topic no other test uses, with partitions and its
// dead-letter topic (kafka.DLQ), on the package's broker, and returns its
// name.
func Topic(t testing.TB, partitions int) string {
	t.Helper()
	topic := UniqueName("topic")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, Brokers(), partitions, 1, topic, kafka.DLQ(topic)); err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	return topic
}
