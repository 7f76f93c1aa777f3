package ratelimit

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// front is a gateway-like server: httpserver's engine with the limiter
// around a handler that answers 200. A request's X-Test-User header stands
// in for a verified token's subject.
type front struct {
	*httptest.Server
	clock *clock
}

func newFront(t *testing.T, opts Options, trusted []string) *front {
	t.Helper()
	clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	srv := httpserver.New(httpserver.Options{Service: "gateway", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	engine := srv.Router()
	if err := engine.SetTrustedProxies(trusted); err != nil {
		t.Fatal(err)
	}
	l := New(opts)
	signedIn := func(c *gin.Context) {
		if user := c.GetHeader("X-Test-User"); user != "" {
			c.Request = c.Request.WithContext(auth.WithCaller(c.Request.Context(), auth.Caller{UserID: user}))
		}
	}
	g := engine.Group("", l.ByAddress(), signedIn, l.ByUser())
	ok := func(c *gin.Context) { c.String(http.StatusOK, "ok") }
	g.GET("/api/v1/products", ok)
	g.POST("/api/v1/auth/login", ok)
	g.POST("/api/v1/checkout", ok)
	g.PUT("/api/v1/cart/items/:id", ok)
	ts := httptest.NewServer(engine)
	t.Cleanup(ts.Close)
	return &front{Server: ts, clock: clk}
}

// clientFrom is an HTTP client whose connections come from the loopback
// address local (such as 127.0.0.2), a distinct peer to the server.
func clientFrom(local string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}, Timeout: 5 * time.Second}
}

func (f *front) send(t *testing.T, client *http.Client, method, path string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, f.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

func status(t *testing.T, f *front, client *http.Client, method, path string, header http.Header) int {
	t.Helper()
	return f.send(t, client, method, path, header).StatusCode
}

// exhaust sends requests until one is refused and returns how many passed.
func exhaust(t *testing.T, f *front, client *http.Client, method, path string, header http.Header) int {
	t.Helper()
	for passed := 0; passed < 1000; passed++ {
		if code := status(t, f, client, method, path, header); code == http.StatusTooManyRequests {
			return passed
		} else if code != http.StatusOK {
			t.Fatalf("%s %s: status %d", method, path, code)
		}
	}
	t.Fatalf("%s %s: never limited", method, path)
	return 0
}

func readBudget(q Quota) Options {
	var opts Options
	opts.PerAddress[Read] = q
	return opts
}

func TestABurstBeyondTheBudgetGets429WithRetryAfterAndTheRateLimitFields(t *testing.T) {
	f := newFront(t, readBudget(Quota{Limit: 3, Window: time.Minute}), nil)
	client := clientFrom("127.0.0.1")
	for i := range 3 {
		resp := f.send(t, client, http.MethodGet, "/api/v1/products", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d, want 200", i+1, resp.StatusCode)
		}
		if got, want := resp.Header.Get("RateLimit"), `"read-ip";r=`+strconv.Itoa(2-i); !strings.HasPrefix(got, want+";t=") {
			t.Errorf("request %d: RateLimit %q, want %s;t=...", i+1, got, want)
		}
	}
	resp := f.send(t, client, http.MethodGet, "/api/v1/products", nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth request: status %d, want 429", resp.StatusCode)
	}
	var p httpserver.ProblemBody
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.Code != httpserver.CodeRateLimited || p.Status != 429 {
		t.Fatalf("problem %+v (%v), want code rate_limited", p, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, httpserver.ContentTypeProblem) {
		t.Errorf("Content-Type %q", ct)
	}
	// 3 per minute refill one token every 20 s.
	if ra := resp.Header.Get("Retry-After"); ra != "20" {
		t.Errorf("Retry-After %q, want 20", ra)
	}
	if got := resp.Header.Get("RateLimit-Policy"); got != `"read-ip";q=3;w=60` {
		t.Errorf("RateLimit-Policy %q", got)
	}
	if got := resp.Header.Get("RateLimit"); got != `"read-ip";r=0;t=60` {
		t.Errorf("RateLimit %q, want \"read-ip\";r=0;t=60", got)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Error("a 429 carries no request id")
	}
}

func TestTheBudgetRefills(t *testing.T) {
	f := newFront(t, readBudget(Quota{Limit: 2, Window: time.Second}), nil)
	client := clientFrom("127.0.0.1")
	if n := exhaust(t, f, client, http.MethodGet, "/api/v1/products", nil); n != 2 {
		t.Fatalf("%d requests passed, want the burst of 2", n)
	}
	f.clock.advance(499 * time.Millisecond)
	if code := status(t, f, client, http.MethodGet, "/api/v1/products", nil); code != http.StatusTooManyRequests {
		t.Fatalf("before one token refilled: status %d, want 429", code)
	}
	f.clock.advance(2 * time.Millisecond)
	if code := status(t, f, client, http.MethodGet, "/api/v1/products", nil); code != http.StatusOK {
		t.Fatalf("after one token refilled: status %d, want 200", code)
	}
	f.clock.advance(time.Hour) // a full bucket holds the burst, no more
	if n := exhaust(t, f, client, http.MethodGet, "/api/v1/products", nil); n != 2 {
		t.Fatalf("after a long idle time %d requests passed, want 2", n)
	}
}

func TestOneClientsFloodDoesNotLimitAnother(t *testing.T) {
	f := newFront(t, readBudget(Quota{Limit: 5, Window: time.Minute}), nil)
	flooder, other := clientFrom("127.0.0.2"), clientFrom("127.0.0.3")
	exhaust(t, f, flooder, http.MethodGet, "/api/v1/products", nil)
	for i := range 5 {
		if code := status(t, f, other, http.MethodGet, "/api/v1/products", nil); code != http.StatusOK {
			t.Fatalf("other client's request %d: status %d, want 200", i+1, code)
		}
	}
}

func TestAForgedXForwardedForIsIgnoredUnlessThePeerIsATrustedProxy(t *testing.T) {
	budget := readBudget(Quota{Limit: 2, Window: time.Minute})
	forged := func(i int) http.Header {
		return http.Header{"X-Forwarded-For": {"203.0.113." + strconv.Itoa(i)}, "X-Real-Ip": {"198.51.100." + strconv.Itoa(i)}}
	}

	t.Run("untrusted peer", func(t *testing.T) {
		f := newFront(t, budget, nil)
		client := clientFrom("127.0.0.1")
		for i := range 2 {
			if code := status(t, f, client, http.MethodGet, "/api/v1/products", forged(i)); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
		}
		if code := status(t, f, client, http.MethodGet, "/api/v1/products", forged(99)); code != http.StatusTooManyRequests {
			t.Fatalf("a new forged address got %d, want 429: the peer's budget is spent", code)
		}
	})

	t.Run("trusted proxy", func(t *testing.T) {
		f := newFront(t, budget, []string{"127.0.0.1/32"})
		proxy, direct := clientFrom("127.0.0.1"), clientFrom("127.0.0.4")
		for i := range 4 { // each forwarded client has its own budget of 2
			for range 2 {
				if code := status(t, f, proxy, http.MethodGet, "/api/v1/products", forged(i)); code != http.StatusOK {
					t.Fatalf("forwarded client %d: status %d, want 200", i, code)
				}
			}
		}
		if code := status(t, f, proxy, http.MethodGet, "/api/v1/products", forged(0)); code != http.StatusTooManyRequests {
			t.Fatalf("forwarded client 0 over its budget: status %d, want 429", code)
		}
		// A peer that is not the trusted proxy cannot borrow its power.
		exhaust(t, f, direct, http.MethodGet, "/api/v1/products", forged(50))
		if code := status(t, f, direct, http.MethodGet, "/api/v1/products", forged(51)); code != http.StatusTooManyRequests {
			t.Fatalf("untrusted peer with a new X-Forwarded-For: status %d, want 429", code)
		}
	})
}

func TestEachSignedInUserHasABudgetOfTheirOwn(t *testing.T) {
	var opts Options
	opts.PerAddress[Write] = Quota{Limit: 100, Window: time.Minute}
	opts.PerUser[Write] = Quota{Limit: 3, Window: time.Minute}
	f := newFront(t, opts, nil)
	client := clientFrom("127.0.0.1")
	alice, bob := http.Header{"X-Test-User": {"alice"}}, http.Header{"X-Test-User": {"bob"}}
	if n := exhaust(t, f, client, http.MethodPut, "/api/v1/cart/items/p1", alice); n != 3 {
		t.Fatalf("alice passed %d writes, want her budget of 3", n)
	}
	resp := f.send(t, client, http.MethodPut, "/api/v1/cart/items/p1", alice)
	if got := resp.Header.Get("RateLimit-Policy"); got != `"write-ip";q=100;w=60, "write-user";q=3;w=60` {
		t.Errorf("RateLimit-Policy %q lists not both budgets", got)
	}
	if got := resp.Header.Get("RateLimit"); !strings.HasPrefix(got, `"write-user";r=0;`) {
		t.Errorf("RateLimit %q, want the user budget that refused", got)
	}
	if code := status(t, f, client, http.MethodPut, "/api/v1/cart/items/p1", bob); code != http.StatusOK {
		t.Fatalf("bob, from the same address: status %d, want 200", code)
	}
}

func TestClassesHaveSeparateBudgets(t *testing.T) {
	var opts Options
	opts.PerAddress[Auth] = Quota{Limit: 2, Window: time.Minute}
	opts.PerAddress[Checkout] = Quota{Limit: 1, Window: time.Minute}
	opts.PerAddress[Read] = Quota{Limit: 50, Window: time.Minute}
	f := newFront(t, opts, nil)
	client := clientFrom("127.0.0.1")
	if n := exhaust(t, f, client, http.MethodPost, "/api/v1/auth/login", nil); n != 2 {
		t.Fatalf("%d logins passed, want 2", n)
	}
	if n := exhaust(t, f, client, http.MethodPost, "/api/v1/checkout", nil); n != 1 {
		t.Fatalf("%d checkouts passed after the logins ran out, want 1", n)
	}
	if code := status(t, f, client, http.MethodGet, "/api/v1/products", nil); code != http.StatusOK {
		t.Fatalf("a read after auth and checkout ran out: status %d", code)
	}
	// Write has no budget here: unlimited, and no RateLimit fields.
	resp := f.send(t, client, http.MethodPut, "/api/v1/cart/items/p1", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("RateLimit") != "" {
		t.Fatalf("unlimited class: status %d, RateLimit %q", resp.StatusCode, resp.Header.Get("RateLimit"))
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		method, path string
		want         Class
	}{
		{"POST", "/api/v1/auth/login", Auth},
		{"POST", "/api/v1/auth/register", Auth},
		{"POST", "/api/v1/auth/refresh", Auth},
		{"POST", "/api/v1/auth/logout", Write},
		{"POST", "/api/v1/checkout", Checkout},
		{"POST", "/api/v1/payments/webhooks/stripe", Webhook},
		{"GET", "/api/v1/checkout", Read},
		{"PUT", "/api/v1/cart/items/p1", Write},
		{"DELETE", "/api/v1/cart", Write},
		{"GET", "/api/v1/products", Read},
		{"HEAD", "/api/v1/products", Read},
		{"OPTIONS", "/api/v1/products", Read},
	}
	for _, tc := range cases {
		if got := Classify(tc.method, tc.path); got != tc.want {
			t.Errorf("Classify(%s %s) = %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestIdleBucketsAreDroppedAndTheStoreStaysBounded(t *testing.T) {
	q := Quota{Limit: 10, Window: time.Minute}
	s := newStore(64, time.Second, func(addrKey) time.Duration { return q.Window })
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10_000 {
		addr := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		s.take(addrKey{class: Read, addr: addr}, q, now)
	}
	if n := s.size(); n > 64 {
		t.Fatalf("a flood of 10,000 addresses left %d buckets, want at most 64", n)
	}
	// Once refilled, the buckets go at the next sweep of their shard.
	later := now.Add(q.Window + time.Second)
	for i := range 200 {
		s.take(addrKey{class: Write, addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})}, q, later)
	}
	for i := range s.shards {
		for key := range s.shards[i].buckets {
			if key.class == Read {
				t.Fatalf("refilled bucket %v survived a sweep", key)
			}
		}
	}
	// Sweeps keep a bucket that has not refilled yet.
	roomy := newStore(10_000, time.Second, func(addrKey) time.Duration { return q.Window })
	hot := addrKey{class: Auth, addr: netip.MustParseAddr("192.0.2.200")}
	for range 10 {
		roomy.take(hot, q, now)
	}
	for i := range 100 { // new keys in every shard, after the sweep gap
		roomy.take(addrKey{class: Read, addr: netip.AddrFrom4([4]byte{198, 51, 100, byte(i)})}, q, now.Add(2*time.Second))
	}
	if d := roomy.take(hot, q, now.Add(2*time.Second)); d.allowed {
		t.Fatal("a spent bucket was dropped by a sweep and came back full")
	}
}

func TestParseQuota(t *testing.T) {
	for text, want := range map[string]Quota{
		"20/1m":   {Limit: 20, Window: time.Minute},
		"20/m":    {Limit: 20, Window: time.Minute},
		" 5/10s ": {Limit: 5, Window: 10 * time.Second},
		"off":     {},
		"0":       {},
	} {
		got, err := ParseQuota(text)
		if err != nil || got != want {
			t.Errorf("ParseQuota(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
	for _, bad := range []string{"", "20", "x/1m", "-1/1m", "20/0s", "20/soon"} {
		if _, err := ParseQuota(bad); err == nil {
			t.Errorf("ParseQuota(%q) accepted", bad)
		}
	}
}
