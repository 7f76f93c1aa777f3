package proxy

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/tracing"
)

func TestTheUpstreamIsCalledInTheClientsTraceUnderTheGatewaysSpan(t *testing.T) {
	t.Setenv(tracing.EnvEndpoint, "")
	t.Setenv(tracing.EnvTracesEndpoint, "")
	shutdown, err := tracing.Init(context.Background(), "gateway-test", "dev")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })

	const traceID, clientSpanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	tg := newTestGateway(t, breaker.Options{}, nil)
	resp, body := tg.do(t, http.MethodGet, "/api/v1/products/p-1",
		http.Header{"Traceparent": {"00-" + traceID + "-" + clientSpanID + "-01"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d: %s", resp.StatusCode, body)
	}

	got := strings.Split(decodeEcho(t, body).Header.Get("Traceparent"), "-")
	if len(got) != 4 || got[1] != traceID || got[2] == clientSpanID || len(got[2]) != 16 {
		t.Fatalf("upstream traceparent %q, want trace %s with the gateway's span as parent", strings.Join(got, "-"), traceID)
	}
}
