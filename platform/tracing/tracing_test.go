package tracing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/mercato-shop/mercato/platform/tracing"
)

func TestWithoutAnEndpointSpansPropagateButNothingIsExported(t *testing.T) {
	t.Setenv(tracing.EnvEndpoint, "")
	t.Setenv(tracing.EnvTracesEndpoint, "")
	shutdown, err := tracing.Init(context.Background(), "orders", "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if tracing.ExporterConfigured() {
		t.Fatal("ExporterConfigured without an endpoint")
	}

	ctx, span := otel.Tracer("test").Start(context.Background(), "checkout")
	span.End()
	if !span.SpanContext().IsValid() || !span.SpanContext().IsSampled() {
		t.Fatalf("span %+v is not a real, sampled span", span.SpanContext())
	}
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	want := "00-" + span.SpanContext().TraceID().String() + "-" + span.SpanContext().SpanID().String() + "-01"
	if carrier["traceparent"] != want {
		t.Fatalf("traceparent = %q, want %q", carrier["traceparent"], want)
	}
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWithAnEndpointSpansAreExportedOverOTLPHTTP(t *testing.T) {
	var posts atomic.Int64
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/traces" {
			posts.Add(1)
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(collector.Close)
	t.Setenv(tracing.EnvTracesEndpoint, "")
	t.Setenv(tracing.EnvEndpoint, collector.URL)

	shutdown, err := tracing.Init(context.Background(), "orders", "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	_, span := otel.Tracer("test").Start(context.Background(), "checkout")
	span.End()
	// Shutdown flushes the batch: the span reaches the collector now.
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if posts.Load() == 0 {
		t.Fatal("no span reached the collector's /v1/traces")
	}
}
