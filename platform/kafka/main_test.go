package kafka_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Kafka: true}))
}

var nameSeq atomic.Int64

// uniqueName returns a topic or group name no other test uses.
func uniqueName(t *testing.T, kind string) string {
	name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	return fmt.Sprintf("%s-%s-%d", kind, name, nameSeq.Add(1))
}

// newWriter returns a Writer closed at the end of the test.
func newWriter(t *testing.T) *kafka.Writer {
	w := kafka.NewWriter(embeddedtest.Brokers())
	t.Cleanup(func() { w.Close() })
	return w
}

// publish writes msgs or fails the test.
func publish(t *testing.T, w *kafka.Writer, msgs ...kafka.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.Publish(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

// running is a consumer running in the background.
type running struct {
	cancel  context.CancelFunc
	done    chan error
	stopped sync.Once
}

// start runs a consumer built from cfg; quiet logging unless it fails.
func start(t *testing.T, cfg kafka.ConsumerConfig) *running {
	t.Helper()
	if cfg.Brokers == nil {
		cfg.Brokers = embeddedtest.Brokers()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- kafka.NewConsumer(cfg).Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the consumer and waits for Run to return.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.stopped.Do(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("consumer did not stop within 15s")
		}
	})
}

// testWriter sends log lines to t.Log while the test runs.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// record is a concurrency-safe log of what a handler saw.
type record struct {
	mu   sync.Mutex
	msgs []kafka.Message
}

func (r *record) add(m kafka.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
}

func (r *record) snapshot() []kafka.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]kafka.Message(nil), r.msgs...)
}

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		case <-tick.C:
		}
	}
}
