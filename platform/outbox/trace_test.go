package outbox_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/platform/tracing"
)

func TestEventWrittenUnderASpanCarriesItsTraceparent(t *testing.T) {
	t.Setenv(tracing.EnvEndpoint, "")
	t.Setenv(tracing.EnvTracesEndpoint, "")
	shutdown, err := tracing.Init(context.Background(), "outbox-test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })

	ctx, span := otel.Tracer("outbox-test").Start(context.Background(), "checkout")
	defer span.End()
	entry, err := outbox.NewEvent(ctx, events.TopicOrders, events.SourceOrders, events.TypeOrderPlaced, "order-9", events.OrderPlaced{OrderID: "order-9"})
	if err != nil {
		t.Fatal(err)
	}
	sc := span.SpanContext()
	want := "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"
	if got := entry.Headers["traceparent"]; got != want {
		t.Fatalf("traceparent = %q, want %q", got, want)
	}
	if entry.Key != "order-9" || !strings.Contains(entry.Payload, events.TypeOrderPlaced) {
		t.Fatalf("entry = %+v", entry)
	}

	// Without a span there is nothing to propagate: no headers at all.
	untraced, err := outbox.NewEvent(context.Background(), events.TopicOrders, events.SourceOrders, events.TypeOrderPlaced, "order-9", events.OrderPlaced{OrderID: "order-9"})
	if err != nil {
		t.Fatal(err)
	}
	if untraced.Headers != nil {
		t.Fatalf("untraced entry has headers %v", untraced.Headers)
	}
	if got := outbox.TraceHeaders(trace.ContextWithSpanContext(context.Background(), sc)); got["traceparent"] != want {
		t.Fatalf("TraceHeaders = %v, want traceparent %q", got, want)
	}
}
