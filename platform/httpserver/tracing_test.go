package httpserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/trace"

	"github.com/mercato-shop/mercato/platform/tracing"
)

func TestARequestIsHandledInTheTraceOfItsTraceparent(t *testing.T) {
	t.Setenv(tracing.EnvEndpoint, "")
	t.Setenv(tracing.EnvTracesEndpoint, "")
	shutdown, err := tracing.Init(context.Background(), "httpserver-test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })

	const traceID, parentSpanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	s, logs := newTestServer(t, Options{})
	var seen trace.SpanContext
	s.Router().GET("/api/v1/orders/:id", func(c *gin.Context) {
		seen = trace.SpanContextFromContext(c.Request.Context())
		c.Status(http.StatusNoContent)
	})
	req := httptest.NewRequest(http.MethodGet, "/api/v1/orders/o-1", nil)
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentSpanID+"-01")
	if rec := serve(s, req); rec.Code != http.StatusNoContent {
		t.Fatalf("status = %d", rec.Code)
	}

	if seen.TraceID().String() != traceID || seen.IsRemote() || seen.SpanID().String() == parentSpanID {
		t.Fatalf("handler span = %s/%s (remote %v), want a server span in trace %s", seen.TraceID(), seen.SpanID(), seen.IsRemote(), traceID)
	}
	lines := logs.lines(t)
	access := lines[len(lines)-1]
	if access["msg"] != "http request" || access["trace_id"] != traceID || access["span_id"] != seen.SpanID().String() {
		t.Fatalf("access log = %v, want trace_id %s and span_id %s", access, traceID, seen.SpanID())
	}

	// Without a traceparent the request starts a trace of its own.
	if rec := serve(s, httptest.NewRequest(http.MethodGet, "/api/v1/orders/o-2", nil)); rec.Code != http.StatusNoContent {
		t.Fatalf("status = %d", rec.Code)
	}
	if !seen.IsValid() || seen.TraceID().String() == traceID {
		t.Fatalf("untraced request ran in span %s/%s, want a new trace", seen.TraceID(), seen.SpanID())
	}
}
