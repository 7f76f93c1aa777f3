package kafka_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/tracing"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestTheHandlerRunsInTheTraceOfTheMessagesTraceparent(t *testing.T) {
	t.Setenv(tracing.EnvEndpoint, "")
	t.Setenv(tracing.EnvTracesEndpoint, "")
	shutdown, err := tracing.Init(context.Background(), "kafka-test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })

	const traceID, parentSpanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	topic := embeddedtest.Topic(t, 1)
	w := newWriter(t)
	publish(t, w, kafka.Message{Topic: topic, Key: "order-1", Value: []byte("placed"),
		Headers: map[string]string{"traceparent": "00-" + traceID + "-" + parentSpanID + "-01"}})

	var mu sync.Mutex
	var seen []trace.SpanContext
	start(t, kafka.ConsumerConfig{GroupID: uniqueName(t, "group"), Topics: []string{topic}, DLQPublisher: w,
		Handler: func(ctx context.Context, _ kafka.Message) error {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, trace.SpanContextFromContext(ctx))
			return nil
		}})
	waitUntil(t, 20*time.Second, "message handled", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == 1
	})

	got := seen[0]
	if got.TraceID().String() != traceID {
		t.Fatalf("handler trace id = %s, want the message's %s", got.TraceID(), traceID)
	}
	if !got.IsValid() || got.IsRemote() || got.SpanID().String() == parentSpanID {
		t.Fatalf("handler span = %+v, want a local consumer span, child of %s", got, parentSpanID)
	}
}
