package kafka_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// idempotentEffects applies each event's effect once, keyed by event id, the
// way a service records processed-event ids, and counts deliveries.
type idempotentEffects struct {
	mu         sync.Mutex
	deliveries map[string]int
	effects    map[string]int
}

func newIdempotentEffects() *idempotentEffects {
	return &idempotentEffects{deliveries: map[string]int{}, effects: map[string]int{}}
}

func (e *idempotentEffects) apply(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.deliveries[id]++
	if e.effects[id] == 0 {
		e.effects[id]++
	}
}

func (e *idempotentEffects) counts(id string) (deliveries, effects int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deliveries[id], e.effects[id]
}

func TestRedeliveredEventsAreHarmless(t *testing.T) {
	topic := embeddedtest.Topic(t, 1)
	w := newWriter(t)
	group := uniqueName(t, "group")
	// e2 is in the log twice, as a producer retry would leave it.
	for _, id := range []string{"e1", "e2", "e2", "e3", "e4", "e5"} {
		publish(t, w, kafka.Message{Topic: topic, Key: "order-1", Value: []byte(id)})
	}
	effects := newIdempotentEffects()

	// The first member applies e4's effect, then is stopped before it can
	// return: e4 is never committed, as when a process dies mid-message.
	var crashed atomic.Bool
	first := start(t, kafka.ConsumerConfig{GroupID: group, Topics: []string{topic}, DLQPublisher: w,
		Handler: func(ctx context.Context, m kafka.Message) error {
			effects.apply(string(m.Value))
			if string(m.Value) == "e4" {
				crashed.Store(true)
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		}})
	waitUntil(t, 20*time.Second, "e4 in flight", crashed.Load)
	first.stop(t)

	second := start(t, kafka.ConsumerConfig{GroupID: group, Topics: []string{topic}, DLQPublisher: w,
		Handler: func(_ context.Context, m kafka.Message) error { effects.apply(string(m.Value)); return nil }})
	waitUntil(t, 20*time.Second, "e5", func() bool { d, _ := effects.counts("e5"); return d == 1 })
	second.stop(t)

	wantDeliveries := map[string]int{"e1": 1, "e2": 2, "e3": 1, "e4": 2, "e5": 1}
	for id, want := range wantDeliveries {
		deliveries, applied := effects.counts(id)
		if deliveries != want {
			t.Errorf("%s delivered %d times, want %d", id, deliveries, want)
		}
		if applied != 1 {
			t.Errorf("%s applied %d times, want once", id, applied)
		}
	}
}

func TestFailingMessagesAreDeadLetteredAndTheConsumerMovesOn(t *testing.T) {
	topic := embeddedtest.Topic(t, 1)
	w := newWriter(t)
	group := uniqueName(t, "group")
	publish(t, w,
		kafka.Message{Topic: topic, Key: "k", Value: []byte("ok-1")},
		kafka.Message{Topic: topic, Key: "k", Value: []byte("undecodable"), Headers: map[string]string{"traceparent": "00-abc-01"}},
		kafka.Message{Topic: topic, Key: "k", Value: []byte("always-fails")},
		kafka.Message{Topic: topic, Key: "k", Value: []byte("panics")},
		kafka.Message{Topic: topic, Key: "k", Value: []byte("ok-2")},
	)

	var handled record
	var alwaysFailsCalls atomic.Int64
	reg := prometheus.NewRegistry()
	start(t, kafka.ConsumerConfig{
		GroupID: group, Topics: []string{topic}, DLQPublisher: w, Registerer: reg,
		MaxAttempts: 3, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		Handler: func(_ context.Context, m kafka.Message) error {
			switch string(m.Value) {
			case "undecodable":
				return kafka.Permanent(errors.New("decode event: invalid character 'u'"))
			case "always-fails":
				alwaysFailsCalls.Add(1)
				return errors.New("store unavailable")
			case "panics":
				panic("nil map")
			}
			handled.add(m)
			return nil
		}})

	var dead record
	start(t, kafka.ConsumerConfig{GroupID: uniqueName(t, "dlq-reader"), Topics: []string{kafka.DLQ(topic)}, DLQPublisher: w,
		Handler: func(_ context.Context, m kafka.Message) error { dead.add(m); return nil }})

	waitUntil(t, 20*time.Second, "ok-2 handled and 3 dead letters", func() bool {
		return len(handled.snapshot()) == 2 && len(dead.snapshot()) == 3
	})
	if got := alwaysFailsCalls.Load(); got != 3 {
		t.Errorf("always-failing message handled %d times, want MaxAttempts=3", got)
	}
	want := []struct{ value, errPart, attempts, offset string }{
		{"undecodable", "decode event", "1", "1"},
		{"always-fails", "store unavailable", "3", "2"},
		{"panics", "handler panic: nil map", "1", "3"},
	}
	for i, m := range dead.snapshot() {
		w := want[i]
		h := m.Headers
		if string(m.Value) != w.value || m.Key != "k" || !strings.Contains(h[kafka.HeaderError], w.errPart) ||
			h[kafka.HeaderAttempts] != w.attempts || h[kafka.HeaderOriginalTopic] != topic ||
			h[kafka.HeaderOriginalPartition] != "0" || h[kafka.HeaderOriginalOffset] != w.offset ||
			h[kafka.HeaderConsumerGroup] != group {
			t.Errorf("dead letter %d: value %q key %q headers %v; want %+v", i, m.Value, m.Key, h, w)
		}
	}
	if tp := dead.snapshot()[0].Headers["traceparent"]; tp != "00-abc-01" {
		t.Errorf("dead letter lost the traceparent header: %q", tp)
	}
	assertCounter(t, reg, "mercato_kafka_consumer_messages_handled_total", group, topic, 2)
	assertCounter(t, reg, "mercato_kafka_consumer_messages_dead_lettered_total", group, topic, 3)
	assertCounter(t, reg, "mercato_kafka_consumer_handler_errors_total", group, topic, 5)
	assertCounter(t, reg, "mercato_kafka_consumer_messages_retried_total", group, topic, 2) // always-fails: attempts 2 and 3
}

// failingPublisher refuses every publish, like a dead-letter topic that
// cannot be written.
type failingPublisher struct{ calls atomic.Int64 }

func (p *failingPublisher) Publish(context.Context, ...kafka.Message) error {
	p.calls.Add(1)
	return errors.New("broker refused the write")
}

func TestAMessageIsNotCommittedUntilItsDeadLetterIsWritten(t *testing.T) {
	topic := embeddedtest.Topic(t, 1)
	w := newWriter(t)
	group := uniqueName(t, "group")
	publish(t, w,
		kafka.Message{Topic: topic, Key: "k", Value: []byte("bad")},
		kafka.Message{Topic: topic, Key: "k", Value: []byte("after")})
	handler := func(seen *record) kafka.Handler {
		return func(_ context.Context, m kafka.Message) error {
			if string(m.Value) == "bad" {
				return kafka.Permanent(errors.New("undecodable"))
			}
			seen.add(m)
			return nil
		}
	}

	var firstSeen record
	broken := &failingPublisher{}
	first := start(t, kafka.ConsumerConfig{GroupID: group, Topics: []string{topic}, DLQPublisher: broken,
		InitialBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Handler: handler(&firstSeen)})
	waitUntil(t, 20*time.Second, "dead-letter retries", func() bool { return broken.calls.Load() >= 3 })
	first.stop(t)
	if n := len(firstSeen.snapshot()); n != 0 {
		t.Fatalf("the consumer skipped a message it could not dead-letter (%d handled after it)", n)
	}

	var secondSeen, dead record
	start(t, kafka.ConsumerConfig{GroupID: group, Topics: []string{topic}, DLQPublisher: w, Handler: handler(&secondSeen)})
	start(t, kafka.ConsumerConfig{GroupID: uniqueName(t, "dlq-reader"), Topics: []string{kafka.DLQ(topic)}, DLQPublisher: w,
		Handler: func(_ context.Context, m kafka.Message) error { dead.add(m); return nil }})
	waitUntil(t, 20*time.Second, "bad dead-lettered and after handled", func() bool {
		d := dead.snapshot()
		return len(d) == 1 && string(d[0].Value) == "bad" && len(secondSeen.snapshot()) == 1
	})
}

func TestStoppingCommitsEveryHandledOffset(t *testing.T) {
	topic := embeddedtest.Topic(t, 3)
	w := newWriter(t)
	group := uniqueName(t, "group")
	batch := func(from, to int) {
		var msgs []kafka.Message
		for i := from; i < to; i++ {
			msgs = append(msgs, kafka.Message{Topic: topic, Key: fmt.Sprintf("key-%d", i%4), Value: fmt.Appendf(nil, "m%d", i)})
		}
		publish(t, w, msgs...)
	}
	batch(0, 20)

	// A commit interval of an hour leaves every commit to the flush on stop.
	var first record
	consumer := start(t, kafka.ConsumerConfig{GroupID: group, Topics: []string{topic}, DLQPublisher: w, CommitInterval: time.Hour,
		Handler: func(_ context.Context, m kafka.Message) error { first.add(m); return nil }})
	waitUntil(t, 20*time.Second, "20 messages", func() bool { return len(first.snapshot()) == 20 })
	consumer.stop(t)

	batch(20, 30)
	var second record
	start(t, kafka.ConsumerConfig{GroupID: group, Topics: []string{topic}, DLQPublisher: w,
		Handler: func(_ context.Context, m kafka.Message) error { second.add(m); return nil }})
	waitUntil(t, 20*time.Second, "the 10 new messages", func() bool { return len(second.snapshot()) >= 10 })
	// Messages of one key arrive in order, and a key's first new message
	// comes right after its old ones, so a redelivery would precede it.
	got := map[string]bool{}
	for _, m := range second.snapshot() {
		got[string(m.Value)] = true
	}
	for i := 0; i < 30; i++ {
		if want := i >= 20; got[fmt.Sprintf("m%d", i)] != want {
			t.Errorf("m%d seen by the new member: %v, want %v", i, !want, want)
		}
	}
}

func TestAThousandMessagesFlowQuickly(t *testing.T) {
	topic := embeddedtest.Topic(t, 3)
	w := newWriter(t)
	const n = 1000
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{Topic: topic, Key: fmt.Sprintf("order-%d", i%50), Value: fmt.Appendf(nil, `{"n":%d}`, i)}
	}
	began := time.Now()
	publish(t, w, msgs...)
	published := time.Since(began)

	var count atomic.Int64
	var firstAt, lastAt atomic.Int64
	began = time.Now()
	start(t, kafka.ConsumerConfig{GroupID: uniqueName(t, "group"), Topics: []string{topic}, DLQPublisher: w,
		Handler: func(context.Context, kafka.Message) error {
			now := time.Now().UnixNano()
			firstAt.CompareAndSwap(0, now)
			lastAt.Store(now)
			count.Add(1)
			return nil
		}})
	waitUntil(t, 30*time.Second, "1000 messages", func() bool { return count.Load() == n })
	t.Logf("published %d in %v; consumed in %v after joining the group (%v including the join)",
		n, published, time.Duration(lastAt.Load()-firstAt.Load()), time.Since(began))
}

// assertCounter checks a counter's value for one group and topic.
func assertCounter(t *testing.T, reg *prometheus.Registry, name, group, topic string, want float64) {
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
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["group"] == group && labels["topic"] == topic {
				if got := m.GetCounter().GetValue(); got != want {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
				return
			}
		}
	}
	t.Errorf("%s{group=%q,topic=%q} not found", name, group, topic)
}

func TestAConsumerWaitsForItsTopicInsteadOfCreatingIt(t *testing.T) {
	topic := uniqueName(t, "late-topic")
	var got record
	var logs lockedBuffer
	start(t, kafka.ConsumerConfig{GroupID: uniqueName(t, "group"), Topics: []string{topic}, DLQPublisher: &failingPublisher{},
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		Handler: func(_ context.Context, m kafka.Message) error { got.add(m); return nil }})
	waitUntil(t, 10*time.Second, "the consumer to wait for its topic", func() bool {
		return strings.Contains(logs.String(), "waiting for topics")
	})
	// The embedded broker auto-creates topics a client asks about; the
	// consumer must not, or the topic would get the broker's default layout.
	if partitions := topicPartitions(t, topic); partitions[topic] != 0 {
		t.Fatalf("the consumer created %s", topic)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, embeddedtest.Brokers(), 2, 1, topic); err != nil {
		t.Fatal(err)
	}
	w := newWriter(t)
	publish(t, w, kafka.Message{Topic: topic, Key: "k", Value: []byte("hello")})
	waitUntil(t, 20*time.Second, "the message on the late topic", func() bool { return len(got.snapshot()) == 1 })
	if partitions := topicPartitions(t, topic); partitions[topic] != 2 {
		t.Fatalf("%s has %d partitions, want the 2 EnsureTopics asked for", topic, partitions[topic])
	}
}

// lockedBuffer is a bytes.Buffer safe for a logger and a test to share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
