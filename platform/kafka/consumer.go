package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	kafkago "github.com/segmentio/kafka-go"
)

// Handler processes one consumed message. It must be idempotent: delivery is
// at-least-once. An error is retried with backoff; wrap it with Permanent to
// send the message to the dead-letter topic at once (an undecodable event).
type Handler func(ctx context.Context, msg Message) error

// ConsumerConfig configures a Consumer. Brokers, GroupID, Topics, Handler and
// DLQPublisher are required.
type ConsumerConfig struct {
	Brokers []string
	// GroupID is the consumer group; instances of one service share it.
	GroupID string
	// Topics to consume. Run waits until they exist; their dead-letter
	// topics (DLQ) must exist too (EnsureTopics) for DLQPublisher to write.
	Topics  []string
	Handler Handler
	// DLQPublisher writes messages that fail for good to DLQ(topic).
	DLQPublisher Publisher
	// MaxAttempts is how often a failing message is handled before it is
	// dead-lettered (default 5).
	MaxAttempts int
	// InitialBackoff and MaxBackoff bound the pause between attempts
	// (defaults 100 ms and 5 s); the pause doubles after each attempt.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// CommitInterval is how often handled offsets are committed, as one
	// batch (default 100 ms). Pending offsets are committed when Run returns.
	CommitInterval time.Duration
	// PartitionBuffer is how many fetched messages may wait for one
	// partition's worker (default 64); a full buffer pauses fetching.
	PartitionBuffer int
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Registerer receives the consumer's metrics; nil records none.
	Registerer prometheus.Registerer
}

// Consumer runs a consumer group: fetch, handle with retries, dead-letter
// what keeps failing, commit (docs/events.md). The partitions assigned to it
// are handled concurrently, each by its own worker in offset order, so one
// aggregate's events (one key, one partition) keep their order and every
// partition commits only what it handled (see dispatch).
type Consumer struct {
	cfg     ConsumerConfig
	log     *slog.Logger
	metrics *consumerMetrics
}

// NewConsumer returns a Consumer; Run starts it.
func NewConsumer(cfg ConsumerConfig) *Consumer {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.InitialBackoff <= 0 {
		cfg.InitialBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.CommitInterval <= 0 {
		cfg.CommitInterval = 100 * time.Millisecond
	}
	if cfg.PartitionBuffer <= 0 {
		cfg.PartitionBuffer = 64
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("group", cfg.GroupID)
	return &Consumer{cfg: cfg, log: log, metrics: newConsumerMetrics(cfg.Registerer)}
}

// Run consumes until ctx is cancelled, then returns nil after committing
// every offset it handled and leaving the group. A message whose handling
// was cut short by the cancellation is not committed, so it is delivered
// again later. Run returns an error only for a configuration mistake.
func (c *Consumer) Run(ctx context.Context) error {
	if err := c.validate(); err != nil {
		return err
	}
	// A group that joins before its topics exist would be assigned nothing
	// and stay idle, so wait for them (another service may create them).
	if err := waitForTopics(ctx, c.log, c.cfg.Brokers, c.cfg.Topics); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("kafka consumer %s: %w", c.cfg.GroupID, err)
	}
	reader := kafkago.NewReader(c.readerConfig())
	defer func() {
		// Close commits the pending offsets and leaves the group.
		if err := reader.Close(); err != nil {
			c.log.Warn("close kafka reader", "error", err)
		}
	}()

	return c.dispatch(ctx, reader)
}

func (c *Consumer) validate() error {
	switch {
	case len(c.cfg.Brokers) == 0:
		return errors.New("kafka consumer: Brokers are required")
	case c.cfg.GroupID == "":
		return errors.New("kafka consumer: GroupID is required")
	case len(c.cfg.Topics) == 0:
		return errors.New("kafka consumer: Topics are required")
	case c.cfg.Handler == nil:
		return errors.New("kafka consumer: Handler is required")
	case c.cfg.DLQPublisher == nil:
		return errors.New("kafka consumer: DLQPublisher is required")
	}
	return nil
}

func (c *Consumer) readerConfig() kafkago.ReaderConfig {
	return kafkago.ReaderConfig{
		Brokers:     c.cfg.Brokers,
		GroupID:     c.cfg.GroupID,
		GroupTopics: c.cfg.Topics,
		MinBytes:    1,
		MaxBytes:    10 << 20,
		MaxWait:     250 * time.Millisecond,
		StartOffset: kafkago.FirstOffset,
		// Commit in batches; Close flushes what is pending.
		CommitInterval: c.cfg.CommitInterval,
		// Fail over within seconds when a member dies (docs/events.md).
		SessionTimeout:    6 * time.Second,
		HeartbeatInterval: time.Second,
		RebalanceTimeout:  5 * time.Second,
		JoinGroupBackoff:  500 * time.Millisecond,
		ReadBackoffMin:    50 * time.Millisecond,
		ReadBackoffMax:    time.Second,
		ErrorLogger: kafkago.LoggerFunc(func(format string, args ...any) {
			c.log.Warn("kafka reader: " + fmt.Sprintf(format, args...))
		}),
	}
}

// commit queues km's offset for the next batch commit. The commit must not be
// lost to a cancellation that arrives after the message was handled, so it
// ignores ctx's cancellation (bounded, in case the group is rebalancing).
func (c *Consumer) commit(ctx context.Context, reader *kafkago.Reader, km kafkago.Message) {
	commitCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := reader.CommitMessages(commitCtx, km); err != nil {
		// Not fatal: the message is delivered again and handled idempotently.
		c.log.Warn("commit offset", "topic", km.Topic, "partition", km.Partition, "offset", km.Offset, "error", err)
	}
}
