package kafka_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestDLQNamesTheDeadLetterTopic(t *testing.T) {
	if got := kafka.DLQ("orders.events"); got != "orders.events.dlq" {
		t.Fatalf("DLQ = %q", got)
	}
}

func TestEnsureTopicsCreatesOnceAndIsIdempotent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, b := uniqueName(t, "topic"), uniqueName(t, "topic")
	if err := kafka.EnsureTopics(ctx, embeddedtest.Brokers(), 4, 1, a, b); err != nil {
		t.Fatal(err)
	}
	// Again, with one new topic among existing ones.
	c := uniqueName(t, "topic")
	if err := kafka.EnsureTopics(ctx, embeddedtest.Brokers(), 2, 1, a, b, c); err != nil {
		t.Fatalf("second call: %v", err)
	}
	partitions := topicPartitions(t, a, b, c)
	if partitions[a] != 4 || partitions[b] != 4 || partitions[c] != 2 {
		t.Fatalf("partitions = %v, want %s:4 %s:4 %s:2", partitions, a, b, c)
	}
}

func TestEnsureTopicsWaitsForALateBroker(t *testing.T) {
	// A listener that hangs up on everyone stands in for a broker that is
	// not up yet; once EnsureTopics has failed twice, the broker takes the port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
			refused.Add(1)
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	topic := uniqueName(t, "topic")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- kafka.EnsureTopics(ctx, []string{addr.String()}, 1, 1, topic) }()

	waitUntil(t, 10*time.Second, "two refused attempts", func() bool { return refused.Load() >= 2 })
	ln.Close()
	k, err := embedded.StartKafka(embedded.KafkaOptions{Port: addr.Port})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("EnsureTopics after the broker came up: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("EnsureTopics did not finish after the broker came up")
	}
	if err := kafka.Ping(ctx, []string{k.Addr()}); err != nil {
		t.Fatal(err)
	}
}

func TestEnsureTopicsGivesUpAtTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	started := time.Now()
	err := kafka.EnsureTopics(ctx, []string{deadAddr(t)}, 1, 1, uniqueName(t, "topic"))
	if err == nil {
		t.Fatal("EnsureTopics succeeded without a broker")
	}
	if elapsed := time.Since(started); elapsed > 5*time.Second {
		t.Fatalf("gave up after %v", elapsed)
	}
}

func TestPingTellsReachableFromUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := kafka.Ping(ctx, embeddedtest.Brokers()); err != nil {
		t.Fatalf("live broker: %v", err)
	}
	if err := kafka.Ping(ctx, []string{deadAddr(t)}); err == nil {
		t.Fatal("Ping of a dead address succeeded")
	}
}

// deadAddr returns an address where nothing listens.
func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// topicPartitions asks the broker how many partitions each topic has.
func topicPartitions(t *testing.T, topics ...string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A fresh transport: the shared default one answers from cached metadata.
	transport := &kafkago.Transport{}
	defer transport.CloseIdleConnections()
	client := &kafkago.Client{Addr: kafkago.TCP(embeddedtest.Brokers()...), Transport: transport}
	res, err := client.Metadata(ctx, &kafkago.MetadataRequest{Topics: topics})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, topic := range res.Topics {
		if topic.Error == nil {
			out[topic.Name] = len(topic.Partitions)
		}
	}
	return out
}
