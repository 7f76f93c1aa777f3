package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/gateway/internal/authn"
	"github.com/mercato-shop/mercato/gateway/internal/proxy"
	"github.com/mercato-shop/mercato/gateway/internal/ratelimit"
	"github.com/mercato-shop/mercato/gateway/internal/web"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/testkit/authtest"
)

// edgeGateway is the gateway wired as main wires it (edge, token check,
// proxy, web UI; not the Kafka ingestion) on a real listener, in front of
// one echoing upstream for every service.
type edgeGateway struct {
	base string
	hits *atomic.Int64
}

func startEdgeGateway(t *testing.T, env map[string]string) *edgeGateway {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	hits := &atomic.Int64{}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			hits.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(up.Close)
	iss := authtest.New(t)

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httpserver.New(httpserver.Options{Service: "gateway", Addr: "127.0.0.1:0", Logger: logger})
	parts, err := buildEdge(cfg.Edge, srv.Registry())
	if err != nil {
		t.Fatal(err)
	}
	if err := parts.install(srv.Router(), srv.ConfigureHTTP, cfg.Edge); err != nil {
		t.Fatal(err)
	}
	gw, err := proxy.New(proxy.Options{
		Upstreams: everyUpstream(up.URL),
		Logger:    logger, TrustedPeer: parts.trusted.Peer,
	})
	if err != nil {
		t.Fatal(err)
	}
	gw.Register(srv.Router().Group("", authn.Middleware(iss.Verifier(t)), parts.limiter.ByUser()))
	web.Register(srv.Router(), web.Options{})
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &edgeGateway{base: "http://" + addr.String(), hits: hits}
}

func (g *edgeGateway) do(t *testing.T, method, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, g.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestASlowlorisClientIsCutOffWhileOthersAreServed(t *testing.T) {
	g := startEdgeGateway(t, map[string]string{"READ_HEADER_TIMEOUT": "2s"})
	conn, err := net.Dial("tcp", strings.TrimPrefix(g.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, "GET /api/v1/products HTTP/1.1\r\nHost: shop\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	// One byte a second, never finishing the headers, until the server
	// hangs up (a write then fails) or 10 s pass.
	go func() {
		for range 10 {
			if _, err := conn.Write([]byte("a")); err != nil {
				return
			}
			<-time.After(time.Second)
		}
	}()
	closed := make(chan string, 1)
	go func() {
		got, _ := io.ReadAll(conn) // returns once the server closes
		closed <- string(got)
	}()

	served := 0
	for {
		select {
		case got := <-closed:
			elapsed := time.Since(start)
			if strings.Contains(got, "200 OK") {
				t.Fatalf("the slow client was answered: %q", got)
			}
			if elapsed < 1500*time.Millisecond || elapsed > 5*time.Second {
				t.Fatalf("slow client cut off after %s, want about the 2s header timeout", elapsed)
			}
			if served < 5 {
				t.Fatalf("only %d other requests served meanwhile", served)
			}
			return
		default:
		}
		if resp, body := g.do(t, http.MethodGet, "/api/v1/products", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("another client got %d while the slow one hung: %s", resp.StatusCode, body)
		}
		served++
		if time.Since(start) > 8*time.Second {
			t.Fatal("the slow client was never cut off")
		}
		<-time.After(50 * time.Millisecond)
	}
}

func TestEveryAnswerCarriesARequestID(t *testing.T) {
	g := startEdgeGateway(t, map[string]string{"RATE_LIMIT_ADDR_AUTH": "1/1m", "MAX_HEADER_COUNT": "20"})
	many := http.Header{}
	for i := range 30 {
		many.Set("X-Filler-"+strconv.Itoa(i), "x")
	}
	cases := []struct {
		method, path string
		header       http.Header
		status       int
	}{
		{http.MethodGet, "/api/v1/products", nil, http.StatusOK},
		{http.MethodGet, "/", nil, http.StatusOK},
		{http.MethodGet, "/api/v1/nope", nil, http.StatusNotFound},
		{http.MethodDelete, "/api/v1/products/p1", nil, http.StatusMethodNotAllowed},
		{http.MethodGet, "/api/v1/cart", nil, http.StatusUnauthorized},
		{http.MethodPost, "/api/v1/auth/login", nil, http.StatusOK},
		{http.MethodPost, "/api/v1/auth/login", nil, http.StatusTooManyRequests},
		{http.MethodGet, "/api/v1/products", many, http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, tc := range cases {
		resp, body := g.do(t, tc.method, tc.path, tc.header)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d: %s", tc.method, tc.path, resp.StatusCode, tc.status, body)
		}
		if resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s (%d): no X-Request-ID", tc.method, tc.path, resp.StatusCode)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s (%d): no X-Content-Type-Options: nosniff", tc.method, tc.path, resp.StatusCode)
		}
	}
}

func TestAMethodOutsideTheRoutesAllowListIs405AndNeverReachesTheUpstream(t *testing.T) {
	g := startEdgeGateway(t, nil)
	for _, tc := range []struct{ method, path string }{
		{http.MethodDelete, "/api/v1/products/p1"},
		{http.MethodPost, "/api/v1/categories"},
		{http.MethodPut, "/api/v1/checkout"},
		{http.MethodGet, "/api/v1/checkout"},
		{http.MethodTrace, "/api/v1/cart"},
		{http.MethodOptions, "/api/v1/orders"},
		{http.MethodPatch, "/api/v1/users/me"},
	} {
		resp, body := g.do(t, tc.method, tc.path, nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") == "" {
			t.Errorf("%s %s: status %d, Allow %q; want 405 with Allow: %s", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"), body)
			continue
		}
		var p httpserver.ProblemBody
		if err := json.Unmarshal(body, &p); err != nil || p.Code != httpserver.CodeMethodNotAllowed {
			t.Errorf("%s %s: problem %s", tc.method, tc.path, body)
		}
	}
	if n := g.hits.Load(); n != 0 {
		t.Fatalf("%d refused methods reached the upstream", n)
	}
}

func TestTooManyOrTooLargeHeadersAre431(t *testing.T) {
	g := startEdgeGateway(t, map[string]string{"MAX_HEADER_COUNT": "40", "MAX_HEADER_BYTES": "8192"})
	many := http.Header{}
	for i := range 41 {
		many.Set("X-Filler-"+strconv.Itoa(i), "x")
	}
	resp, body := g.do(t, http.MethodGet, "/api/v1/products", many)
	var p httpserver.ProblemBody
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || json.Unmarshal(body, &p) != nil || p.Code != "headers_too_large" ||
		resp.Header.Get("Content-Type") != httpserver.ContentTypeProblem {
		t.Fatalf("41 header fields: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	huge := http.Header{"X-Huge": {strings.Repeat("a", 16<<10)}}
	if resp, body := g.do(t, http.MethodGet, "/api/v1/products", huge); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("16 KB header: %d %s", resp.StatusCode, body)
	}
	if n := g.hits.Load(); n != 0 {
		t.Fatalf("%d oversized requests reached the upstream", n)
	}
}

func TestTheWebUIsSecurityHeadersAndHSTSOnlyOverTLS(t *testing.T) {
	plain := startEdgeGateway(t, nil)
	resp, _ := plain.do(t, http.MethodGet, "/", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP %q lacks frame-ancestors or default-src", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
		t.Errorf("page headers %v", resp.Header)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("HSTS %q without configuration", hsts)
	}

	behind := startEdgeGateway(t, map[string]string{"HSTS_MAX_AGE": "8760h", "TRUSTED_PROXIES": "127.0.0.1"})
	overTLS := http.Header{"X-Forwarded-Proto": {"https"}}
	resp, _ = behind.do(t, http.MethodGet, "/", overTLS)
	if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "max-age=31536000; includeSubDomains" {
		t.Errorf("HSTS behind a trusted TLS proxy = %q", hsts)
	}
	if resp, _ = behind.do(t, http.MethodGet, "/", nil); resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	untrusted := startEdgeGateway(t, map[string]string{"HSTS_MAX_AGE": "8760h", "TRUSTED_PROXIES": ""})
	if resp, _ = untrusted.do(t, http.MethodGet, "/", overTLS); resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent on an untrusted peer's X-Forwarded-Proto")
	}
}

func TestTheDefaultBudgetsLimitEveryClass(t *testing.T) {
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]ratelimit.Quota{
		"auth": cfg.Edge.RateLimitAddrAuth, "checkout": cfg.Edge.RateLimitAddrCheckout,
		"write": cfg.Edge.RateLimitAddrWrite, "read": cfg.Edge.RateLimitAddrRead, "webhook": cfg.Edge.RateLimitAddrWebhook,
		"user checkout": cfg.Edge.RateLimitUserCheckout, "user write": cfg.Edge.RateLimitUserWrite,
		"user read": cfg.Edge.RateLimitUserRead,
	} {
		if q.Off() {
			t.Errorf("default %s budget is off", name)
		}
	}
	t.Setenv("RATE_LIMIT_ADDR_READ", "lots")
	if err := config.Load(&Config{}); err == nil {
		t.Fatal("a malformed budget was accepted")
	}
}

// everyUpstream points every upstream the proxy needs at url.
func everyUpstream(url string) map[string]string {
	urls := map[string]string{}
	for _, name := range proxy.UpstreamNames() {
		urls[name] = url
	}
	return urls
}

// TestAsWiredAForgedForwardedForBuysNoFreshBudget checks main's wiring: with
// no TRUSTED_PROXIES, neither X-Forwarded-For nor X-Real-IP changes the
// address the limiter counts.
func TestAsWiredAForgedForwardedForBuysNoFreshBudget(t *testing.T) {
	g := startEdgeGateway(t, map[string]string{"RATE_LIMIT_ADDR_READ": "3/1m", "TRUSTED_PROXIES": ""})
	for i := range 10 {
		forged := http.Header{"X-Forwarded-For": {"203.0.113." + strconv.Itoa(i)}, "X-Real-Ip": {"198.51.100." + strconv.Itoa(i)}}
		resp, _ := g.do(t, http.MethodGet, "/api/v1/products", forged)
		want := http.StatusOK
		if i >= 3 {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Fatalf("request %d with a forged address: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}
