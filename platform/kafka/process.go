package kafka

import (
	"context"
	"fmt"
	"strconv"

	kafkago "github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the consumer's spans' instrumentation scope.
const tracerName = "github.com/mercato-shop/mercato/platform/kafka"

// Headers a dead-lettered message carries besides its original ones.
const (
	// HeaderError is the last error of the handler.
	HeaderError = "x-error"
	// HeaderOriginalTopic, HeaderOriginalPartition and HeaderOriginalOffset
	// locate the original message.
	HeaderOriginalTopic     = "x-original-topic"
	HeaderOriginalPartition = "x-original-partition"
	HeaderOriginalOffset    = "x-original-offset"
	// HeaderAttempts is how often the handler was tried.
	HeaderAttempts = "x-attempts"
	// HeaderConsumerGroup is the group that gave up on the message.
	HeaderConsumerGroup = "x-consumer-group"
)

// maxErrorHeaderBytes keeps an error header readable.
const maxErrorHeaderBytes = 1024

// process handles one message until it is either handled or dead-lettered,
// and reports true then; false means ctx was cancelled first and the message
// must not be committed. The handler runs in a consumer span "<topic>
// process" whose parent is the message's traceparent header, so what the
// handler writes continues the producer's trace.
func (c *Consumer) process(ctx context.Context, km kafkago.Message) bool {
	msg := Message{
		Topic:     km.Topic,
		Key:       string(km.Key),
		Value:     km.Value,
		Headers:   fromHeaders(km.Headers),
		Partition: km.Partition,
		Offset:    km.Offset,
	}
	ctx, span := c.startSpan(ctx, msg)
	defer span.End()
	c.metrics.lag.WithLabelValues(c.cfg.GroupID, km.Topic, strconv.Itoa(km.Partition)).
		Set(float64(max(km.HighWaterMark-km.Offset-1, 0)))

	attempts, err := c.handle(ctx, msg)
	if err == nil {
		c.metrics.handled.WithLabelValues(c.cfg.GroupID, msg.Topic).Inc()
		return true
	}
	if ctx.Err() != nil {
		return false
	}
	span.SetStatus(codes.Error, "dead-lettered")
	return c.deadLetter(ctx, msg, attempts, err)
}

// startSpan starts the consumer span of msg, a child of the trace context in
// its headers (a new trace when it has none).
func (c *Consumer) startSpan(ctx context.Context, msg Message) (context.Context, trace.Span) {
	ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.MapCarrier(msg.Headers))
	return otel.Tracer(tracerName).Start(ctx, msg.Topic+" process",
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", msg.Topic),
			attribute.String("messaging.consumer.group.name", c.cfg.GroupID),
			attribute.Int("messaging.destination.partition.id", msg.Partition),
			attribute.Int64("messaging.kafka.offset", msg.Offset),
		))
}

// handle runs the handler, retrying with backoff, until it succeeds, fails
// permanently, runs out of attempts or ctx ends. It returns the number of
// attempts made and the last error.
func (c *Consumer) handle(ctx context.Context, msg Message) (int, error) {
	pause := c.cfg.InitialBackoff
	for attempt := 1; ; attempt++ {
		err := c.callHandler(ctx, msg)
		if err == nil {
			return attempt, nil
		}
		c.metrics.failed.WithLabelValues(c.cfg.GroupID, msg.Topic).Inc()
		if ctx.Err() != nil {
			return attempt, err
		}
		if IsPermanent(err) || attempt >= c.cfg.MaxAttempts {
			return attempt, err
		}
		c.metrics.retried.WithLabelValues(c.cfg.GroupID, msg.Topic).Inc()
		c.log.Warn("handler failed, retrying", "topic", msg.Topic, "partition", msg.Partition,
			"offset", msg.Offset, "attempt", attempt, "error", err)
		if !sleep(ctx, pause) {
			return attempt, ctx.Err()
		}
		pause = min(2*pause, c.cfg.MaxBackoff)
	}
}

// callHandler turns a handler panic into a permanent error, so one poison
// message cannot crash the service.
func (c *Consumer) callHandler(ctx context.Context, msg Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("handler panic: %v", r))
		}
	}()
	return c.cfg.Handler(ctx, msg)
}

// deadLetter publishes msg to its dead-letter topic, retrying until that
// succeeds (an event is never dropped) or ctx ends; it reports success.
func (c *Consumer) deadLetter(ctx context.Context, msg Message, attempts int, cause error) bool {
	headers := make(map[string]string, len(msg.Headers)+6)
	for k, v := range msg.Headers {
		headers[k] = v
	}
	errText := cause.Error()
	if len(errText) > maxErrorHeaderBytes {
		errText = errText[:maxErrorHeaderBytes]
	}
	headers[HeaderError] = errText
	headers[HeaderOriginalTopic] = msg.Topic
	headers[HeaderOriginalPartition] = strconv.Itoa(msg.Partition)
	headers[HeaderOriginalOffset] = strconv.FormatInt(msg.Offset, 10)
	headers[HeaderAttempts] = strconv.Itoa(attempts)
	headers[HeaderConsumerGroup] = c.cfg.GroupID
	dead := Message{Topic: DLQ(msg.Topic), Key: msg.Key, Value: msg.Value, Headers: headers}

	pause := c.cfg.InitialBackoff
	for {
		err := c.cfg.DLQPublisher.Publish(ctx, dead)
		if err == nil {
			c.metrics.deadLettered.WithLabelValues(c.cfg.GroupID, msg.Topic).Inc()
			c.log.Error("message dead-lettered", "topic", msg.Topic, "partition", msg.Partition,
				"offset", msg.Offset, "attempts", attempts, "error", cause)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		c.log.Error("dead-letter publish failed, retrying", "topic", dead.Topic, "offset", msg.Offset, "error", err)
		if !sleep(ctx, pause) {
			return false
		}
		pause = min(2*pause, c.cfg.MaxBackoff)
	}
}
