package embeddedtest_test

import (
	"context"
	"os"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Kafka: true, Mongo: true}))
}

// TestDatabaseIsFreshAndSingleWriter: two calls give two empty databases,
// each with its own write client on the embedded store (one client for
// both on MongoDB), and a named database is shared.
func TestDatabaseIsFreshAndSingleWriter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, b := embeddedtest.Database(t, config.Mongo{}), embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	if a.Read.Name() == b.Read.Name() {
		t.Fatalf("both databases are named %s", a.Read.Name())
	}
	if single := a.Write.Client() != a.Read.Client(); single == embeddedtest.OnMongoDB() {
		t.Fatalf("a single writer: %v, on MongoDB: %v (the single writer is the embedded store's alone)", single, embeddedtest.OnMongoDB())
	}
	if _, err := a.Write.Collection("c").InsertOne(ctx, bson.M{"_id": "x"}); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Read.Collection("c").CountDocuments(ctx, bson.M{}); err != nil || n != 0 {
		t.Fatalf("the second database holds %d documents (%v), want none", n, err)
	}
	same := embeddedtest.Database(t, config.Mongo{MongoDatabase: a.Read.Name()})
	if n, err := same.Read.Collection("c").CountDocuments(ctx, bson.M{}); err != nil || n != 1 {
		t.Fatalf("the named database holds %d documents (%v), want 1", n, err)
	}
}

// TestTopicIsCreatedWithItsDeadLetterTopic: Topic creates two new topics
// with the partitions asked for.
func TestTopicIsCreatedWithItsDeadLetterTopic(t *testing.T) {
	topic := embeddedtest.Topic(t, 3)
	if other := embeddedtest.Topic(t, 3); other == topic {
		t.Fatalf("two calls returned topic %s", topic)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A fresh transport: the shared default one answers from cached metadata.
	transport := &kafkago.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafkago.Client{Addr: kafkago.TCP(embeddedtest.Brokers()...), Transport: transport}
	res, err := client.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{topic, kafka.DLQ(topic)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Topics) != 2 {
		t.Fatalf("metadata of %d topics, want 2", len(res.Topics))
	}
	for _, got := range res.Topics {
		if got.Error != nil || len(got.Partitions) != 3 {
			t.Fatalf("topic %s has %d partitions (%v), want 3", got.Name, len(got.Partitions), got.Error)
		}
	}
}
