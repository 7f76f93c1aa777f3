package kafka

import (
	"context"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// Writer is a Publisher on a kafka-go Writer with safe settings:
// acknowledgement by all in-sync replicas, the key hashed to the partition
// (one aggregate's events stay in order) and no automatic topic creation.
// Each message names its own topic.
//
// Its batch timeout is 1 ms. kafka-go's synchronous WriteMessages waits
// that long for a partition's batch to fill before sending it, and
// Mercato's publishers hand over whole rounds at once (the outbox relay
// publishes everything a round found in one call), so a longer linger adds
// only latency: 5 ms, the earlier setting, was about a third of the relay's
// publish time on every saga hop (docs/performance.md).
type Writer struct {
	w         *kafkago.Writer
	transport *kafkago.Transport
}

var _ Publisher = (*Writer)(nil)

// WriterOption changes a setting of NewWriter.
type WriterOption func(*kafkago.Writer)

// WithBatchTimeout sets how long the writer waits to fill a batch (default 1 ms).
func WithBatchTimeout(d time.Duration) WriterOption {
	return func(w *kafkago.Writer) { w.BatchTimeout = d }
}

// WithWriteTimeout bounds one produce request (default 10 s).
func WithWriteTimeout(d time.Duration) WriterOption {
	return func(w *kafkago.Writer) { w.WriteTimeout = d; w.ReadTimeout = d }
}

// WithMaxAttempts sets how often a failed produce is tried (default 3).
func WithMaxAttempts(n int) WriterOption {
	return func(w *kafkago.Writer) { w.MaxAttempts = n }
}

// defaultBatchTimeout is the linger of a partition's batch (see Writer).
const defaultBatchTimeout = time.Millisecond

// writerMetadataTTL bounds how long a writer trusts its cached topic list: a
// topic created after the writer found it missing is writable this soon.
const writerMetadataTTL = time.Second

// NewWriter returns a Writer publishing to brokers. Close it to flush.
func NewWriter(brokers []string, opts ...WriterOption) *Writer {
	transport := newTransport()
	transport.MetadataTTL = writerMetadataTTL
	w := &kafkago.Writer{
		Addr:                   kafkago.TCP(brokers...),
		Balancer:               &kafkago.Hash{},
		RequiredAcks:           kafkago.RequireAll,
		BatchTimeout:           defaultBatchTimeout,
		WriteTimeout:           10 * time.Second,
		ReadTimeout:            10 * time.Second,
		MaxAttempts:            3,
		WriteBackoffMin:        100 * time.Millisecond,
		WriteBackoffMax:        time.Second,
		AllowAutoTopicCreation: false,
		Transport:              transport,
	}
	for _, opt := range opts {
		opt(w)
	}
	return &Writer{w: w, transport: transport}
}

// Publish writes msgs and returns once all in-sync replicas acknowledged
// every one of them, or with an error once the attempts are spent or ctx
// ends. Every message must name its topic, and the topic must exist: a
// missing one fails at once (kafka-go's UnknownTopicOrPartition).
func (w *Writer) Publish(ctx context.Context, msgs ...Message) error {
	if len(msgs) == 0 {
		return nil
	}
	out := make([]kafkago.Message, len(msgs))
	for i, m := range msgs {
		if m.Topic == "" {
			return fmt.Errorf("publish: message %d (key %q) has no topic", i, m.Key)
		}
		out[i] = kafkago.Message{Topic: m.Topic, Key: []byte(m.Key), Value: m.Value, Headers: toHeaders(m.Headers)}
	}
	if err := w.w.WriteMessages(ctx, out...); err != nil {
		return fmt.Errorf("publish %d message(s) to %s: %w", len(msgs), topicsOf(msgs), err)
	}
	return nil
}

// Close flushes pending writes and closes the connections.
func (w *Writer) Close() error {
	err := w.w.Close()
	w.transport.CloseIdleConnections()
	if err != nil {
		return fmt.Errorf("close kafka writer: %w", err)
	}
	return nil
}

func toHeaders(h map[string]string) []kafkago.Header {
	if len(h) == 0 {
		return nil
	}
	out := make([]kafkago.Header, 0, len(h))
	for k, v := range h {
		out = append(out, kafkago.Header{Key: k, Value: []byte(v)})
	}
	return out
}

func fromHeaders(h []kafkago.Header) map[string]string {
	out := make(map[string]string, len(h))
	for _, hd := range h {
		out[hd.Key] = string(hd.Value)
	}
	return out
}

// topicsOf names the distinct topics of msgs, for error messages.
func topicsOf(msgs []Message) string {
	seen := map[string]bool{}
	var names []string
	for _, m := range msgs {
		if !seen[m.Topic] {
			seen[m.Topic] = true
			names = append(names, m.Topic)
		}
	}
	return fmt.Sprint(names)
}
