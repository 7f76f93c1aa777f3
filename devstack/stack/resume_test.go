package stack_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

func TestSecondRunResumesTheDataOfTheFirst(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dataDir := t.TempDir()
	const db, topic = "devstack_resume_probe", "devstack.resume.probe"

	first := startStack(t, dataDir)
	mc, err := mongo.Connect(ctx, options.Client().ApplyURI(first.MongoURI()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mc.Database(db).Collection("c").InsertOne(ctx, bson.M{"_id": "kept", "n": 7}); err != nil {
		t.Fatal(err)
	}
	_ = mc.Disconnect(ctx)
	w := &kafka.Writer{Addr: kafka.TCP(first.KafkaAddr()), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond, AllowAutoTopicCreation: true}
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("k"), Value: []byte("kept")}); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startStack(t, dataDir)
	mc, err = mongo.Connect(ctx, options.Client().ApplyURI(second.MongoURI()))
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Disconnect(ctx)
	var doc bson.M
	if err := mc.Database(db).Collection("c").FindOne(ctx, bson.M{"_id": "kept"}).Decode(&doc); err != nil {
		t.Fatalf("document of the first run: %v", err)
	}
	if doc["n"] != int32(7) {
		t.Errorf("document = %v, want n 7", doc)
	}
	conn, err := kafka.DialLeader(ctx, "tcp", second.KafkaAddr(), topic, partitionOf(ctx, t, second.KafkaAddr(), topic))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	msg, err := conn.ReadMessage(1 << 20)
	if err != nil {
		t.Fatalf("message of the first run: %v", err)
	}
	if string(msg.Value) != "kept" {
		t.Errorf("message = %q, want kept", msg.Value)
	}
}

// partitionOf returns the partition holding the topic's messages: the one
// whose last offset is above zero.
func partitionOf(ctx context.Context, t *testing.T, addr, topic string) int {
	t.Helper()
	conn, err := kafka.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		leader, err := kafka.DialLeader(ctx, "tcp", addr, topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		last, err := leader.ReadLastOffset()
		leader.Close()
		if err != nil {
			t.Fatal(err)
		}
		if last > 0 {
			return p.ID
		}
	}
	t.Fatalf("topic %s has no message", topic)
	return 0
}
