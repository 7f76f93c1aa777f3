// Package kafka is Mercato's event transport on segmentio/kafka-go: topic
// creation, a publisher with safe settings and a consumer runner
// (docs/events.md).
package kafka

import "context"

// Message is one event on its way to or from Kafka.
type Message struct {
	Topic string
	// Key is the aggregate id; it keeps one aggregate's events in order.
	Key   string
	Value []byte
	// Headers such as traceparent or, on a dead-letter topic, the error.
	Headers map[string]string
	// Partition and Offset are set on consumed messages.
	Partition int
	Offset    int64
}

// Publisher publishes messages and returns once every one is acknowledged
// by all in-sync replicas.
type Publisher interface {
	Publish(ctx context.Context, msgs ...Message) error
}
