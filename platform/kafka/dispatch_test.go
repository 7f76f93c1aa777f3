package kafka_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestPartitionsRunInParallelAndKeysStayInOrder: with slow handlers, the
// three partitions are handled at the same time (a sequential consumer
// never has two messages in hand), while each key's messages are handled
// in the order they were published (a goroutine per message breaks this).
func TestPartitionsRunInParallelAndKeysStayInOrder(t *testing.T) {
	topic := embeddedtest.Topic(t, 3)
	w := newWriter(t)
	const keys, perKey = 12, 15
	var msgs []kafka.Message
	for i := 0; i < perKey; i++ {
		for k := 0; k < keys; k++ {
			msgs = append(msgs, kafka.Message{Topic: topic, Key: fmt.Sprintf("order-%d", k), Value: []byte(strconv.Itoa(i))})
		}
	}
	publish(t, w, msgs...)

	var (
		mu       sync.Mutex
		last     = map[string]int{}
		disorder []string
		inHand   atomic.Int64
		maxHand  atomic.Int64
		handled  atomic.Int64
	)
	start(t, kafka.ConsumerConfig{GroupID: uniqueName(t, "group"), Topics: []string{topic}, DLQPublisher: w,
		Handler: func(_ context.Context, m kafka.Message) error {
			n := inHand.Add(1)
			defer inHand.Add(-1)
			for {
				seen := maxHand.Load()
				if n <= seen || maxHand.CompareAndSwap(seen, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond) // the work: a store round trip
			seq, _ := strconv.Atoi(string(m.Value))
			mu.Lock()
			if prev, ok := last[m.Key]; ok && seq != prev+1 || !ok && seq != 0 {
				disorder = append(disorder, fmt.Sprintf("%s: %d after %d", m.Key, seq, prev))
			}
			last[m.Key] = seq
			mu.Unlock()
			handled.Add(1)
			return nil
		}})
	waitUntil(t, 60*time.Second, "every message", func() bool { return handled.Load() == keys*perKey })
	mu.Lock()
	defer mu.Unlock()
	if len(disorder) > 0 {
		t.Fatalf("a key's messages were handled out of order: %v", disorder)
	}
	if maxHand.Load() < 2 {
		t.Fatalf("at most %d message in hand at once: partitions were not handled in parallel", maxHand.Load())
	}
}

// TestAStoppedMemberLosesNothing stops a member while its partitions hold
// fetched but unhandled messages, then lets a second member of the group
// take over: every message is handled by someone (a consumer that
// committed what it had fetched, not what it had handled, loses them).
func TestAStoppedMemberLosesNothing(t *testing.T) {
	topic := embeddedtest.Topic(t, 3)
	w := newWriter(t)
	group := uniqueName(t, "group")
	const n = 90
	var msgs []kafka.Message
	for i := 0; i < n; i++ {
		msgs = append(msgs, kafka.Message{Topic: topic, Key: fmt.Sprintf("k%d", i%9), Value: []byte(strconv.Itoa(i))})
	}
	publish(t, w, msgs...)

	var mu sync.Mutex
	seen := map[string]bool{}
	mark := func(m kafka.Message) {
		mu.Lock()
		defer mu.Unlock()
		seen[string(m.Value)] = true
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(seen)
	}
	var firstHandled atomic.Int64
	first := start(t, kafka.ConsumerConfig{GroupID: group, Topics: []string{topic}, DLQPublisher: w, CommitInterval: 10 * time.Millisecond,
		Handler: func(ctx context.Context, m kafka.Message) error {
			select { // slow: most fetched messages wait in the buffers
			case <-time.After(20 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
			mark(m)
			firstHandled.Add(1)
			return nil
		}})
	waitUntil(t, 30*time.Second, "the first member to handle some", func() bool { return firstHandled.Load() >= 6 })
	first.stop(t)
	if got := count(); got >= n {
		t.Fatalf("the first member handled all %d before it stopped; the test needs fewer", got)
	}
	start(t, kafka.ConsumerConfig{GroupID: group, Topics: []string{topic}, DLQPublisher: w,
		Handler: func(_ context.Context, m kafka.Message) error { mark(m); return nil }})
	waitUntil(t, 30*time.Second, "every message handled by one member or the other", func() bool { return count() == n })
}
