package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// DLQSuffix is appended to a topic's name to name its dead-letter topic.
const DLQSuffix = ".dlq"

// DLQ returns the dead-letter topic of topic: "<topic>.dlq". A service that
// consumes a topic also ensures its dead-letter topic exists at start-up.
func DLQ(topic string) string { return topic + DLQSuffix }

// EnsureTopics creates every topic that does not exist yet; topics that do
// exist are left alone. It retries while the broker is unreachable until ctx
// ends, so a service may start a little before its broker.
func EnsureTopics(ctx context.Context, brokers []string, partitions, replicationFactor int, topics ...string) error {
	if len(topics) == 0 {
		return nil
	}
	if len(brokers) == 0 {
		return errors.New("ensure topics: no brokers")
	}
	configs := make([]kafkago.TopicConfig, len(topics))
	for i, topic := range topics {
		configs[i] = kafkago.TopicConfig{Topic: topic, NumPartitions: partitions, ReplicationFactor: replicationFactor}
	}
	return retryUntilDone(ctx, func() error {
		return createTopics(ctx, brokers, configs)
	})
}

// createTopics makes one attempt over a fresh connection.
func createTopics(ctx context.Context, brokers []string, configs []kafkago.TopicConfig) error {
	transport := newTransport()
	defer transport.CloseIdleConnections()
	client := &kafkago.Client{Addr: kafkago.TCP(brokers...), Transport: transport}
	res, err := client.CreateTopics(ctx, &kafkago.CreateTopicsRequest{Topics: configs})
	if err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	for topic, err := range res.Errors {
		if err != nil && !errors.Is(err, kafkago.TopicAlreadyExists) {
			return permanentSetupError{fmt.Errorf("create topic %s: %w", topic, err)}
		}
	}
	return nil
}

// Ping checks that a broker answers a metadata request, for readiness probes.
func Ping(ctx context.Context, brokers []string) error {
	if len(brokers) == 0 {
		return errors.New("kafka ping: no brokers")
	}
	transport := newTransport()
	defer transport.CloseIdleConnections()
	client := &kafkago.Client{Addr: kafkago.TCP(brokers...), Transport: transport}
	res, err := client.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{}})
	if err != nil {
		return fmt.Errorf("kafka ping: %w", err)
	}
	if len(res.Brokers) == 0 {
		return errors.New("kafka ping: cluster lists no brokers")
	}
	return nil
}

// waitForTopics returns once every topic exists, retrying until ctx ends.
// Each failed check is logged.
func waitForTopics(ctx context.Context, log *slog.Logger, brokers []string, topics []string) error {
	return retryUntilDone(ctx, func() error {
		err := topicsExist(ctx, brokers, topics)
		if err != nil {
			log.Warn("waiting for topics", "topics", topics, "error", err)
		}
		return err
	})
}

// topicsExist reports an error unless every topic exists.
func topicsExist(ctx context.Context, brokers []string, topics []string) error {
	transport := newTransport()
	defer transport.CloseIdleConnections()
	client := &kafkago.Client{Addr: kafkago.TCP(brokers...), Transport: transport}
	res, err := client.Metadata(ctx, &kafkago.MetadataRequest{Topics: topics})
	if err != nil {
		return fmt.Errorf("read topic metadata: %w", err)
	}
	found := map[string]bool{}
	for _, t := range res.Topics {
		if t.Error == nil && len(t.Partitions) > 0 {
			found[t.Name] = true
		}
	}
	for _, topic := range topics {
		if !found[topic] {
			return fmt.Errorf("topic %s does not exist", topic)
		}
	}
	return nil
}

// newTransport returns a transport whose connections the caller closes, so a
// one-off admin request leaves nothing behind.
func newTransport() *kafkago.Transport {
	return &kafkago.Transport{DialTimeout: 3 * time.Second, IdleTimeout: 30 * time.Second, ClientID: "mercato"}
}

// permanentSetupError is an answer of the broker that retrying cannot change.
type permanentSetupError struct{ err error }

func (e permanentSetupError) Error() string { return e.err.Error() }
func (e permanentSetupError) Unwrap() error { return e.err }

// retryUntilDone calls attempt with growing pauses until it succeeds, fails
// permanently or ctx ends; then it returns the last error.
func retryUntilDone(ctx context.Context, attempt func() error) error {
	pause := 100 * time.Millisecond
	for {
		err := attempt()
		var permanent permanentSetupError
		if err == nil || errors.As(err, &permanent) {
			return err
		}
		if !sleep(ctx, pause) {
			return fmt.Errorf("%w (gave up: %w)", err, ctx.Err())
		}
		pause = min(2*pause, 2*time.Second)
	}
}

// sleep waits for d or until ctx ends; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
