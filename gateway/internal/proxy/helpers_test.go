package proxy

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// echo is what a fake upstream answers: who it is and what it received.
type echo struct {
	Upstream   string      `json:"upstream"`
	RequestURI string      `json:"request_uri"`
	Host       string      `json:"host"`
	Header     http.Header `json:"header"`
}

// fakeUpstream is a real HTTP server standing in for one service. It echoes
// every request except /readyz, and answers with status when that is set.
type fakeUpstream struct {
	*httptest.Server
	name   string
	hits   atomic.Int64
	status atomic.Int64 // 0: echo with 200
}

func newFakeUpstream(t *testing.T, name string) *fakeUpstream {
	t.Helper()
	u := &fakeUpstream{name: name}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			w.WriteHeader(http.StatusOK)
			return
		}
		u.hits.Add(1)
		if status := int(u.status.Load()); status != 0 {
			http.Error(w, "failing on purpose", status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(echo{Upstream: name, RequestURI: r.RequestURI, Host: r.Host, Header: r.Header})
	}))
	t.Cleanup(u.Close)
	return u
}

// testGateway is a gateway mounted on a real httpserver engine (request id,
// NoRoute problem answers) behind a real HTTP listener.
type testGateway struct {
	*Gateway
	front     *httptest.Server
	upstreams map[string]*fakeUpstream
}

func newTestGateway(t *testing.T, breakerOpts breaker.Options, override map[string]string) *testGateway {
	t.Helper()
	tg := &testGateway{upstreams: map[string]*fakeUpstream{}}
	urls := map[string]string{}
	for _, name := range upstreamNames {
		u := newFakeUpstream(t, name)
		tg.upstreams[name] = u
		urls[name] = u.URL
	}
	for name, url := range override {
		urls[name] = url
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httpserver.New(httpserver.Options{Service: "gateway", Logger: logger})
	gw, err := New(Options{Upstreams: urls, Logger: logger, Registerer: srv.Registry(), BreakerOptions: breakerOpts})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	gw.Register(srv.Router())
	tg.Gateway = gw
	tg.front = httptest.NewServer(srv.Router())
	t.Cleanup(tg.front.Close)
	return tg
}

// do sends a request to the gateway and returns the response with its body.
func (tg *testGateway) do(t *testing.T, method, target string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, tg.front.URL+target, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	resp, err := tg.front.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, target, err)
	}
	return resp, body
}

func decodeEcho(t *testing.T, body []byte) echo {
	t.Helper()
	var e echo
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("not an upstream echo: %v: %s", err, body)
	}
	return e
}

// decodeProblem checks the media type and returns the problem document.
func decodeProblem(t *testing.T, resp *http.Response, body []byte) httpserver.ProblemBody {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, httpserver.ContentTypeProblem) {
		t.Fatalf("Content-Type = %q, want %s (body %s)", ct, httpserver.ContentTypeProblem, body)
	}
	var p httpserver.ProblemBody
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body: %v: %s", err, body)
	}
	if p.Status != resp.StatusCode || p.Code == "" {
		t.Fatalf("problem %+v does not match status %d", p, resp.StatusCode)
	}
	return p
}

// eventually polls cond every 10ms until it holds or within elapses.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		<-time.After(10 * time.Millisecond)
	}
}
