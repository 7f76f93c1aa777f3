package outbox_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// appendEvent writes one event into doc id's outbox (creating the doc) and
// notifies relay, as a store does.
func appendEvent(t *testing.T, coll *mongo.Collection, relay *outbox.Relay, topic, id, payload string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	entry := outbox.NewEntry(topic, id, []byte(payload), map[string]string{"seq": payload})
	update := outbox.Push(bson.M{"$set": bson.M{"last": payload}}, entry)
	if _, err := coll.UpdateOne(ctx, bson.M{"_id": id}, update, options.Update().SetUpsert(true)); err != nil {
		t.Errorf("append %s: %v", payload, err)
		return
	}
	relay.Notify(coll, id)
}

// TestStartupSweepPublishesWhatADeadRelayLeft: the write happened and the
// notified relay died before publishing; the next relay's start-up sweep
// publishes the events, in order.
func TestStartupSweepPublishesWhatADeadRelayLeft(t *testing.T) {
	coll := newCollection(t)
	topic := newTopic(t, embeddedtest.KafkaAddr(), 1)
	writer := newWriter(t, embeddedtest.KafkaAddr())

	dead := outbox.NewRelay(writer, outbox.RelayOptions{})
	for i := range 3 {
		appendEvent(t, coll, dead, topic, "o-1", fmt.Sprint("o1-", i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	inserted := []outbox.Entry{outbox.NewEntry(topic, "o-2", []byte("o2-0"), nil)}
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "o-2", "outbox": inserted}); err != nil {
		t.Fatal(err)
	}
	// dead never runs: its notifications are lost with it.

	reg := prometheus.NewRegistry()
	next := outbox.NewRelay(writer, outbox.RelayOptions{SweepInterval: time.Hour, Registry: reg})
	next.Watch(coll)
	startRelay(t, next)
	eventually(t, 15*time.Second, "outboxes to empty", func() bool { return pendingEntries(t, coll) == 0 })

	got := readTopic(t, embeddedtest.KafkaAddr(), topic, 1)
	var o1, o2 []string
	for _, m := range got {
		switch m.Key {
		case "o-1":
			o1 = append(o1, m.Payload)
		case "o-2":
			o2 = append(o2, m.Payload)
		}
	}
	if !slices.Equal(o1, []string{"o1-0", "o1-1", "o1-2"}) || !slices.Equal(o2, []string{"o2-0"}) || len(got) != 4 {
		t.Fatalf("published %v", payloads(got))
	}
	if v := metricValue(t, reg, "mercato_outbox_published_total", "orders"); v != 4 {
		t.Fatalf("published_total = %v, want 4", v)
	}
	eventually(t, 5*time.Second, "backlog gauge to reach 0", func() bool {
		return metricValue(t, reg, "mercato_outbox_backlog", "orders") == 0
	})
}

// TestNormalPathPublishesEachEventOnce: every write notifies; each event is
// published exactly once and the outboxes end empty.
func TestNormalPathPublishesEachEventOnce(t *testing.T) {
	coll := newCollection(t)
	topic := newTopic(t, embeddedtest.KafkaAddr(), 3)
	reg := prometheus.NewRegistry()
	relay := outbox.NewRelay(newWriter(t, embeddedtest.KafkaAddr()), outbox.RelayOptions{SweepInterval: time.Hour, Registry: reg, BatchSize: 4})
	relay.Watch(coll)
	stop := startRelay(t, relay)

	const n = 30
	var want []string
	for i := range n {
		payload := fmt.Sprint("e-", i)
		want = append(want, payload)
		appendEvent(t, coll, relay, topic, fmt.Sprint("o-", i%7), payload)
	}
	eventually(t, 20*time.Second, "outboxes to empty", func() bool { return pendingEntries(t, coll) == 0 })
	stop()

	got := payloads(readTopic(t, embeddedtest.KafkaAddr(), topic, 3))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("published %d messages %v, want each of %d exactly once", len(got), got, n)
	}
	if v := metricValue(t, reg, "mercato_outbox_published_total", "orders"); v != n {
		t.Fatalf("published_total = %v, want %d", v, n)
	}
	if v := metricValue(t, reg, "mercato_outbox_backlog", "orders"); v != 0 {
		t.Fatalf("backlog = %v, want 0", v)
	}
}

// TestOneAggregateStaysInOrder: many appends to one document interleaved
// with the relay's rounds arrive in append order on one partition.
func TestOneAggregateStaysInOrder(t *testing.T) {
	coll := newCollection(t)
	topic := newTopic(t, embeddedtest.KafkaAddr(), 3)
	relay := outbox.NewRelay(newWriter(t, embeddedtest.KafkaAddr()), outbox.RelayOptions{SweepInterval: 50 * time.Millisecond})
	relay.Watch(coll)
	startRelay(t, relay)

	var want []string
	for i := range 60 {
		payload := fmt.Sprintf("step-%02d", i)
		want = append(want, payload)
		appendEvent(t, coll, relay, topic, "order-1", payload)
	}
	eventually(t, 20*time.Second, "outbox to empty", func() bool { return pendingEntries(t, coll) == 0 })

	msgs := readTopic(t, embeddedtest.KafkaAddr(), topic, 3)
	if got := payloads(msgs); !slices.Equal(got, want) {
		t.Fatalf("consumed order %v, want %v", got, want)
	}
	for _, m := range msgs {
		if m.Partition != msgs[0].Partition || m.Key != "order-1" || m.Headers["seq"] != m.Payload {
			t.Fatalf("message %+v: want key order-1, header seq, partition %d", m, msgs[0].Partition)
		}
	}
}

// hookPublisher is the real publisher with a hook that runs before each
// Publish, to make a write happen at an exact point of the relay's round.
type hookPublisher struct {
	kafka.Publisher
	before func(call int)
	calls  int
}

func (h *hookPublisher) Publish(ctx context.Context, msgs ...kafka.Message) error {
	h.calls++
	h.before(h.calls)
	return h.Publisher.Publish(ctx, msgs...)
}

// TestEntryAppendedDuringARoundSurvives: an entry appended between the
// relay's read and its removal is not removed with the published ones, and
// is published after them.
func TestEntryAppendedDuringARoundSurvives(t *testing.T) {
	coll := newCollection(t)
	topic := newTopic(t, embeddedtest.KafkaAddr(), 1)
	var relay *outbox.Relay
	pub := &hookPublisher{Publisher: newWriter(t, embeddedtest.KafkaAddr())}
	pub.before = func(call int) {
		if call == 1 { // the relay has read e-0 and e-1 and is publishing them
			appendEvent(t, coll, relay, topic, "o-1", "late")
		}
	}
	relay = outbox.NewRelay(pub, outbox.RelayOptions{SweepInterval: time.Hour})
	relay.Watch(coll)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	entries := []outbox.Entry{outbox.NewEntry(topic, "o-1", []byte("e-0"), nil), outbox.NewEntry(topic, "o-1", []byte("e-1"), nil)}
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "o-1", "outbox": entries}); err != nil {
		t.Fatal(err)
	}
	relay.Notify(coll, "o-1")
	if err := relay.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
	if pub.calls < 2 {
		t.Fatalf("publish calls = %d: the late entry was not published in its own round", pub.calls)
	}
	if n := pendingEntries(t, coll); n != 0 {
		t.Fatalf("%d entries left", n)
	}
	if got := payloads(readTopic(t, embeddedtest.KafkaAddr(), topic, 1)); !slices.Equal(got, []string{"e-0", "e-1", "late"}) {
		t.Fatalf("published %v", got)
	}
}

// TestConcurrentAppendsWhileRelayRemoves: writers append to a few documents
// while the relay publishes and removes; nothing is lost or duplicated and
// each writer's events stay in order.
func TestConcurrentAppendsWhileRelayRemoves(t *testing.T) {
	coll := newCollection(t)
	topic := newTopic(t, embeddedtest.KafkaAddr(), 3)
	relay := outbox.NewRelay(newWriter(t, embeddedtest.KafkaAddr()), outbox.RelayOptions{SweepInterval: 100 * time.Millisecond, BatchSize: 2})
	relay.Watch(coll)
	startRelay(t, relay)

	const writers, perWriter = 4, 25
	done := make(chan struct{})
	for w := range writers {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range perWriter {
				appendEvent(t, coll, relay, topic, fmt.Sprint("doc-", w%2), fmt.Sprintf("w%d-%02d", w, i))
			}
		}()
	}
	for range writers {
		<-done
	}
	eventually(t, 30*time.Second, "outboxes to empty", func() bool { return pendingEntries(t, coll) == 0 })

	msgs := readTopic(t, embeddedtest.KafkaAddr(), topic, 3)
	if len(msgs) != writers*perWriter {
		t.Fatalf("published %d messages, want %d", len(msgs), writers*perWriter)
	}
	last := map[int]int{} // writer -> last sequence seen
	for _, m := range msgs {
		var w, i int
		if _, err := fmt.Sscanf(m.Payload, "w%d-%d", &w, &i); err != nil {
			t.Fatalf("payload %q: %v", m.Payload, err)
		}
		if prev, ok := last[w]; ok && i != prev+1 || !ok && i != 0 {
			t.Fatalf("writer %d: %s after %d (lost, duplicated or reordered)", w, m.Payload, prev)
		}
		last[w] = i
	}
}
