package outbox_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded"
)

// countingPublisher is the real publisher, counting calls.
type countingPublisher struct {
	kafka.Publisher
	mu    sync.Mutex
	calls int
}

func (c *countingPublisher) Publish(ctx context.Context, msgs ...kafka.Message) error {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.Publisher.Publish(ctx, msgs...)
}

func (c *countingPublisher) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// TestKafkaOutageLosesNothing: while the broker is down the relay keeps the
// events (retrying with pauses, not spinning); once it is back they are all
// published, in order.
func TestKafkaOutageLosesNothing(t *testing.T) {
	dataDir := t.TempDir()
	broker, err := embedded.StartKafka(embedded.KafkaOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	addr := broker.Addr()
	stopped := false
	defer func() {
		if !stopped {
			broker.Close()
		}
	}()
	_, portText, _ := net.SplitHostPort(addr)
	var port int
	fmt.Sscan(portText, &port)

	coll := newCollection(t)
	topic := newTopic(t, addr, 1)
	pub := &countingPublisher{Publisher: kafka.NewWriter([]string{addr}, kafka.WithMaxAttempts(1), kafka.WithWriteTimeout(time.Second))}
	reg := prometheus.NewRegistry()
	relay := outbox.NewRelay(pub, outbox.RelayOptions{SweepInterval: time.Hour, Registry: reg})
	relay.Watch(coll)
	startRelay(t, relay)

	appendEvent(t, coll, relay, topic, "o-1", "before")
	eventually(t, 10*time.Second, "first event published", func() bool { return pendingEntries(t, coll) == 0 })

	broker.Close()
	stopped = true
	outageStart := time.Now()
	callsBefore := pub.count()
	var want = []string{"before"}
	for i := range 5 {
		payload := fmt.Sprint("during-", i)
		want = append(want, payload)
		appendEvent(t, coll, relay, topic, "o-1", payload)
	}
	eventually(t, 20*time.Second, "two failed publish attempts", func() bool {
		return metricValue(t, reg, "mercato_outbox_publish_errors_total", "orders") >= 2
	})
	if n := pendingEntries(t, coll); n != 5 {
		t.Fatalf("%d entries left during the outage, want all 5", n)
	}
	if calls, elapsed := pub.count()-callsBefore, time.Since(outageStart); calls > int(elapsed/(200*time.Millisecond))+2 {
		t.Fatalf("%d publish attempts in %v: the relay spins", calls, elapsed)
	}

	restarted, err := embedded.StartKafka(embedded.KafkaOptions{Port: port, DataDir: dataDir})
	if err != nil {
		t.Fatalf("restart broker on port %d: %v", port, err)
	}
	defer restarted.Close()
	eventually(t, 30*time.Second, "events published after the outage", func() bool { return pendingEntries(t, coll) == 0 })

	if got := payloads(readTopic(t, addr, topic, 1)); !slices.Equal(got, want) {
		t.Fatalf("published %v, want %v", got, want)
	}
}
