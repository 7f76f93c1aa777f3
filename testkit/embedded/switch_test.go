package embedded_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/testkit/embedded"
)

// TestKafkaUnreachableAndBack takes the broker's listener down: the port
// refuses connections and a produce fails; back up on the same port, the
// same writer produces again and the earlier message is still there.
func TestKafkaUnreachableAndBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	k, err := embedded.StartKafka(embedded.KafkaOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	w := &kafka.Writer{Addr: kafka.TCP(k.Addr()), Topic: "probe", RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond,
		AllowAutoTopicCreation: true, MaxAttempts: 1, Balancer: firstPartition{}}
	defer w.Close()
	if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("before")}); err != nil {
		t.Fatalf("produce: %v", err)
	}

	if err := k.SetReachable(false); err != nil {
		t.Fatal(err)
	}
	if k.Reachable() {
		t.Fatal("Reachable after SetReachable(false)")
	}
	if c, err := net.DialTimeout("tcp", k.Addr(), time.Second); err == nil {
		_ = c.Close()
		t.Fatal("broker port accepts connections while down")
	}
	short, stop := context.WithTimeout(ctx, 3*time.Second)
	err = w.WriteMessages(short, kafka.Message{Value: []byte("while down")})
	stop()
	if err == nil {
		t.Fatal("produce succeeded with the broker unreachable")
	}

	if err := k.SetReachable(true); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := w.WriteMessages(ctx, kafka.Message{Value: []byte("after")})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("produce after the broker came back: %v", err)
		}
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{k.Addr()}, Topic: "probe", Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	var got []string
	for len(got) < 2 {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read back (got %v): %v", got, err)
		}
		got = append(got, string(m.Value))
	}
	if got[0] != "before" || got[1] != "after" {
		t.Fatalf("messages %v, want [before after]", got)
	}
}

// TestMongoUnreachableAndBack cuts the clients off a Switchable FerretDB:
// a pooled client's next command fails, and after SetReachable(true) the
// same client reads the document written before.
func TestMongoUnreachableAndBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	m, err := embedded.StartMongo(embedded.MongoOptions{DataDir: t.TempDir(), Switchable: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := mongo.Connect(ctx, options.Client().ApplyURI(m.URI()).SetServerSelectionTimeout(time.Second).SetConnectTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(context.Background())
	coll := c.Database("probe").Collection("c")
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "a", "n": 1}); err != nil {
		t.Fatalf("insert: %v", err)
	}

	if err := m.SetReachable(false); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(m.URI(), "mongodb://"), "/")
	if c, err := net.DialTimeout("tcp", host, time.Second); err == nil {
		_ = c.Close()
		t.Fatal("FerretDB port accepts connections while down")
	}
	short, stop := context.WithTimeout(ctx, 3*time.Second)
	err = coll.FindOne(short, bson.M{"_id": "a"}).Err()
	stop()
	if err == nil {
		t.Fatal("find succeeded with the store unreachable")
	}

	if err := m.SetReachable(true); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got bson.M
		err := coll.FindOne(ctx, bson.M{"_id": "a"}).Decode(&got)
		if err == nil {
			if got["n"] != int32(1) {
				t.Fatalf("got %v", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("find after the store came back: %v", err)
		}
	}
}

// TestMongoNotSwitchable refuses SetReachable on a plain FerretDB.
func TestMongoNotSwitchable(t *testing.T) {
	m, err := embedded.StartMongo(embedded.MongoOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.SetReachable(false); err == nil {
		t.Fatal("SetReachable on a FerretDB started without Switchable")
	}
}

// firstPartition sends every message to the topic's first partition.
type firstPartition struct{}

func (firstPartition) Balance(_ kafka.Message, partitions ...int) int { return partitions[0] }
