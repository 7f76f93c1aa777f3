package proxy

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mercato-shop/mercato/platform/httpserver"
)

// TestATrustedProxysForwardedChainIsKeptAndExtended checks that the chain
// of X-Forwarded-For a trusted load balancer sends goes on with the peer
// appended (and its X-Forwarded-Proto kept), while any other peer's is
// replaced by the peer alone (TestForwardedHeaders).
func TestATrustedProxysForwardedChainIsKeptAndExtended(t *testing.T) {
	users := newFakeUpstream(t, Users)
	urls := map[string]string{}
	for _, name := range upstreamNames {
		urls[name] = users.URL
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httpserver.New(httpserver.Options{Service: "gateway", Logger: logger})
	gw, err := New(Options{Upstreams: urls, Logger: logger, TrustedPeer: func(remoteAddr string) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	gw.Register(srv.Router())
	front := httptest.NewServer(srv.Router())
	t.Cleanup(front.Close)
	tg := &testGateway{Gateway: gw, front: front}

	_, body := tg.do(t, http.MethodGet, "/api/v1/users/me", http.Header{
		"X-Forwarded-For": {"203.0.113.9, 10.0.0.2"}, "X-Forwarded-Proto": {"https"},
	})
	got := decodeEcho(t, body)
	if xff := got.Header.Get("X-Forwarded-For"); xff != "203.0.113.9, 10.0.0.2, 127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q, want the trusted chain with the peer appended", xff)
	}
	if p := got.Header.Get("X-Forwarded-Proto"); p != "https" {
		t.Errorf("X-Forwarded-Proto = %q, want the trusted proxy's https", p)
	}
}
