package proxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// A chunked body (no Content-Length) over the limit is found out only
// while it streams to the upstream. That is the client's fault: it is 413,
// and it must not count against the upstream, or a few such requests
// would open the breaker and take the service away from everybody.
func TestOversizedChunkedBodyIs413AndLeavesTheBreakerClosed(t *testing.T) {
	reader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // an upstream that reads whatever comes
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(reader.Close)
	tg := newTestGateway(t, breaker.Options{ConsecutiveFailures: 2, OpenFor: time.Minute}, map[string]string{Catalog: reader.URL})

	oversized := bytes.Repeat([]byte("x"), 2*httpserver.DefaultMaxBodyBytes)
	for i := range 4 {
		resp, body := postChunked(t, tg.front.URL+"/api/v1/merchant/products", oversized)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("oversized chunked body %d: status %d, want 413: %s", i, resp.StatusCode, body)
		}
		if p := decodeProblem(t, resp, body); p.Code != httpserver.CodePayloadTooLarge {
			t.Fatalf("oversized chunked body %d: code %q, want %s", i, p.Code, httpserver.CodePayloadTooLarge)
		}
	}
	if got := tg.BreakerStates()[Catalog]; got != "closed" {
		t.Fatalf("catalog breaker %s after oversized client bodies, want closed", got)
	}
	if resp, body := postChunked(t, tg.front.URL+"/api/v1/merchant/products", []byte(`{"name":"ok"}`)); resp.StatusCode != http.StatusCreated {
		t.Fatalf("a small chunked body: status %d, want the upstream's 201: %s", resp.StatusCode, body)
	}
}

// postChunked posts body without a Content-Length.
func postChunked(t *testing.T, url string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, struct{ io.Reader }{bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, got
}
