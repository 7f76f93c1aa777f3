package embedded_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/testkit/embedded"
)

func TestKafkaAndMongoServeRealClients(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	k, err := embedded.StartKafka(embedded.KafkaOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	w := &kafka.Writer{Addr: kafka.TCP(k.Addr()), Topic: "probe", RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond, AllowAutoTopicCreation: true}
	defer w.Close()
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("k"), Value: []byte("v")}); err != nil {
		t.Fatalf("produce: %v", err)
	}

	m, err := embedded.StartMongo(embedded.MongoOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := mongo.Connect(ctx, options.Client().ApplyURI(m.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(ctx)
	if _, err := c.Database("probe").Collection("c").InsertOne(ctx, bson.M{"_id": "a", "n": 1}); err != nil {
		t.Fatalf("insert: %v", err)
	}
	var got bson.M
	if err := c.Database("probe").Collection("c").FindOne(ctx, bson.M{"_id": "a"}).Decode(&got); err != nil {
		t.Fatalf("find: %v", err)
	}
	if got["n"] != int32(1) {
		t.Fatalf("got %v", got)
	}
}
