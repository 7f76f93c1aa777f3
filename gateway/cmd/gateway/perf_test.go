package main

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/mercato-shop/mercato/platform/tracing"
)

func TestWithoutAnExporterOnlySampledCallersSpansAreRecorded(t *testing.T) {
	t.Setenv(tracing.EnvEndpoint, "")
	t.Setenv(tracing.EnvTracesEndpoint, "")
	prior := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prior) })
	lightTracing()

	_, root := otel.Tracer("test").Start(context.Background(), "GET /api/v1/products/:id")
	defer root.End()
	if root.IsRecording() || !root.SpanContext().IsValid() {
		t.Fatalf("a request without traceparent: recording %v, valid %v; want a cheap span with ids of its own",
			root.IsRecording(), root.SpanContext().IsValid())
	}

	parent := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled, Remote: true,
	})
	_, child := otel.Tracer("test").Start(trace.ContextWithRemoteSpanContext(context.Background(), parent), "GET /api/v1/cart")
	defer child.End()
	if !child.IsRecording() || child.SpanContext().TraceID() != parent.TraceID() || child.SpanContext().SpanID() == parent.SpanID() {
		t.Fatalf("a sampled caller's request: recording %v, span %v; want a recorded child in the caller's trace",
			child.IsRecording(), child.SpanContext())
	}
}
