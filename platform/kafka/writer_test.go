package kafka_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestSameKeyLandsOnOnePartitionInOrder(t *testing.T) {
	topic := embeddedtest.Topic(t, 3)
	w := newWriter(t)
	keys := []string{"order-a", "order-b", "order-c", "order-d", "order-e", "order-f"}
	const perKey = 30
	for seq := 0; seq < perKey; seq += 10 {
		var batch []kafka.Message
		for i := seq; i < seq+10; i++ {
			for _, key := range keys {
				batch = append(batch, kafka.Message{Topic: topic, Key: key, Value: []byte(strconv.Itoa(i)),
					Headers: map[string]string{"traceparent": "00-" + key}})
			}
		}
		publish(t, w, batch...)
	}

	var got record
	start(t, kafka.ConsumerConfig{
		GroupID: uniqueName(t, "group"), Topics: []string{topic}, DLQPublisher: w,
		Handler: func(_ context.Context, m kafka.Message) error { got.add(m); return nil },
	})
	waitUntil(t, 20*time.Second, "every message", func() bool { return len(got.snapshot()) >= len(keys)*perKey })

	partitionOf := map[string]int{}
	next := map[string]int{}
	usedPartitions := map[int]bool{}
	for _, m := range got.snapshot() {
		if p, ok := partitionOf[m.Key]; ok && p != m.Partition {
			t.Fatalf("key %s on partitions %d and %d", m.Key, p, m.Partition)
		}
		partitionOf[m.Key] = m.Partition
		usedPartitions[m.Partition] = true
		if want := strconv.Itoa(next[m.Key]); string(m.Value) != want {
			t.Fatalf("key %s: got %s, want %s (out of order)", m.Key, m.Value, want)
		}
		next[m.Key]++
		if m.Headers["traceparent"] != "00-"+m.Key {
			t.Fatalf("headers lost: %v", m.Headers)
		}
	}
	if len(usedPartitions) < 2 {
		t.Fatalf("%d keys all hashed to one partition: the balancer is not spreading keys", len(keys))
	}
}

func TestPublishFailsInBoundedTimeWhenTheBrokerIsGone(t *testing.T) {
	k, err := embedded.StartKafka(embedded.KafkaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := uniqueName(t, "topic")
	if err := kafka.EnsureTopics(ctx, []string{k.Addr()}, 1, 1, topic); err != nil {
		t.Fatal(err)
	}
	w := kafka.NewWriter([]string{k.Addr()})
	defer w.Close()
	if err := w.Publish(ctx, kafka.Message{Topic: topic, Key: "k", Value: []byte("before")}); err != nil {
		t.Fatalf("publish while up: %v", err)
	}
	k.Close()

	started := time.Now()
	err = w.Publish(ctx, kafka.Message{Topic: topic, Key: "k", Value: []byte("after")})
	elapsed := time.Since(started)
	if err == nil {
		t.Fatal("publish succeeded with the broker gone")
	}
	if elapsed > 20*time.Second || ctx.Err() != nil {
		t.Fatalf("publish took %v to fail (%v)", elapsed, err)
	}
	t.Logf("publish failed after %v: %v", elapsed, err)
}

func TestPublishRefusesAMessageWithoutTopicOrToAMissingTopicUntilItExists(t *testing.T) {
	w := newWriter(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.Publish(ctx, kafka.Message{Key: "k", Value: []byte("v")}); err == nil || !strings.Contains(err.Error(), "no topic") {
		t.Fatalf("message without topic: %v", err)
	}
	missing := uniqueName(t, "missing")
	if err := w.Publish(ctx, kafka.Message{Topic: missing, Key: "k", Value: []byte("v")}); err == nil {
		t.Fatal("publish to a missing topic succeeded: topics must not be auto-created")
	}
	if partitions := topicPartitions(t, missing); partitions[missing] != 0 {
		t.Fatalf("topic %s was auto-created", missing)
	}
	if ctx.Err() != nil {
		t.Fatalf("publishing to a missing topic hung: %v", ctx.Err())
	}

	// Once the topic exists, the same writer publishes to it as soon as its
	// cached metadata expires.
	if err := kafka.EnsureTopics(ctx, embeddedtest.Brokers(), 1, 1, missing); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	waitUntil(t, 5*time.Second, "a publish to the new topic", func() bool {
		lastErr = w.Publish(ctx, kafka.Message{Topic: missing, Key: "k", Value: []byte("v")})
		return lastErr == nil
	})
}
