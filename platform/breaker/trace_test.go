package breaker

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"

	"github.com/mercato-shop/mercato/platform/tracing"
)

func TestCallsCarryTheTraceparentOfTheirContext(t *testing.T) {
	t.Setenv(tracing.EnvEndpoint, "")
	t.Setenv(tracing.EnvTracesEndpoint, "")
	shutdown, err := tracing.Init(context.Background(), "breaker-test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })

	var mu sync.Mutex
	var received []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		received = append(received, r.Header.Get("traceparent"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)

	ctx, span := otel.Tracer("breaker-test").Start(context.Background(), "checkout")
	defer span.End()
	sc := span.SpanContext()
	want := "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"

	client := NewClient(srv.URL, Options{Name: "catalog"})
	if err := client.GetJSON(ctx, "/api/v1/products/1", nil); err != nil {
		t.Fatal(err)
	}
	// Through the bare Transport, a stale traceparent is replaced and the
	// caller's request is left as it was.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("traceparent", "00-11111111111111111111111111111111-2222222222222222-01")
	resp, err := NewTransport(nil, Options{Name: "gateway-catalog"}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if got := req.Header.Get("traceparent"); got != "00-11111111111111111111111111111111-2222222222222222-01" {
		t.Errorf("the caller's request was changed: traceparent %q", got)
	}
	// Without a span nothing is added.
	if err := client.GetJSON(context.Background(), "/api/v1/products/1", nil); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(received) != 3 || received[0] != want || received[1] != want || received[2] != "" {
		t.Fatalf("upstream received traceparents %q, want [%q %q \"\"]", received, want, want)
	}
}
