package outbox_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	kafkago "github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Kafka: true, Mongo: true}))
}

// newCollection returns a fresh collection on the single-writer client, as
// services use in embedded mode.
func newCollection(t *testing.T) *mongo.Collection {
	t.Helper()
	return embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4}).Write.Collection("orders")
}

// newTopic creates a topic with the given partitions on broker (the
// package's or a test's own).
func newTopic(t *testing.T, broker string, partitions int) string {
	t.Helper()
	topic := embeddedtest.UniqueName("events")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, []string{broker}, partitions, 1, topic); err != nil {
		t.Fatalf("create topic: %v", err)
	}
	return topic
}

// newWriter returns the platform's Kafka publisher.
func newWriter(t *testing.T, broker string) *kafka.Writer {
	t.Helper()
	w := kafka.NewWriter([]string{broker})
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// startRelay runs relay until the test ends and waits for Run to return.
func startRelay(t *testing.T, relay *outbox.Relay) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		relay.Run(ctx)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("relay Run did not return after cancel")
		}
	}
	t.Cleanup(stop)
	return stop
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
}

// pendingEntries counts the outbox entries left in coll.
func pendingEntries(t *testing.T, coll *mongo.Collection) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cur, err := coll.Find(ctx, bson.M{})
	if err != nil {
		t.Fatalf("find: %v", err)
	}
	var docs []struct {
		Outbox []outbox.Entry `bson:"outbox"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatalf("decode: %v", err)
	}
	n := 0
	for _, d := range docs {
		n += len(d.Outbox)
	}
	return n
}

// consumed is a message read back from a topic.
type consumed struct {
	Partition int
	Key       string
	Payload   string
	Headers   map[string]string
}

// readTopic returns every message on topic, partition by partition, in
// offset order.
func readTopic(t *testing.T, broker, topic string, partitions int) []consumed {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []consumed
	for p := range partitions {
		conn, err := kafkago.DialLeader(ctx, "tcp", broker, topic, p)
		if err != nil {
			t.Fatalf("dial partition %d: %v", p, err)
		}
		first, errFirst := conn.ReadFirstOffset()
		last, errLast := conn.ReadLastOffset()
		conn.Close()
		if errFirst != nil || errLast != nil {
			t.Fatalf("offsets of partition %d: %v %v", p, errFirst, errLast)
		}
		if last <= first {
			continue
		}
		r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: []string{broker}, Topic: topic, Partition: p, MaxWait: 50 * time.Millisecond})
		if err := r.SetOffset(first); err != nil {
			t.Fatal(err)
		}
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				r.Close()
				t.Fatalf("read partition %d: %v", p, err)
			}
			headers := map[string]string{}
			for _, h := range m.Headers {
				headers[h.Key] = string(h.Value)
			}
			out = append(out, consumed{Partition: p, Key: string(m.Key), Payload: string(m.Value), Headers: headers})
			if m.Offset >= last-1 {
				break
			}
		}
		r.Close()
	}
	return out
}

// payloads lists the payloads of msgs in order.
func payloads(msgs []consumed) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Payload
	}
	return out
}

// metricValue reads one series of a relay metric from reg.
func metricValue(t *testing.T, reg *prometheus.Registry, name, collection string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "collection" && l.GetValue() == collection {
					if m.GetGauge() != nil {
						return m.GetGauge().GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
