package proxy

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

func TestEveryRouteReachesItsUpstreamWithPathAndQueryIntact(t *testing.T) {
	tg := newTestGateway(t, breaker.Options{}, nil)
	cases := []struct{ method, target, upstream string }{
		{http.MethodPost, "/api/v1/auth/register", Users},
		{http.MethodPost, "/api/v1/auth/login", Users},
		{http.MethodGet, "/api/v1/users/me", Users},
		{http.MethodGet, "/.well-known/jwks.json", Users},
		{http.MethodGet, "/api/v1/products?q=mug&sort=price_asc&limit=5", Catalog},
		{http.MethodGet, "/api/v1/products/p%2F1?x=a%20b", Catalog},
		{http.MethodGet, "/api/v1/categories", Catalog},
		{http.MethodPost, "/api/v1/merchant/products", Catalog},
		{http.MethodPost, "/api/v1/merchant/products/p1/stock", Catalog},
		{http.MethodGet, "/api/v1/cart", Orders},
		{http.MethodPut, "/api/v1/cart/items/p1", Orders},
		{http.MethodPost, "/api/v1/checkout", Orders},
		{http.MethodGet, "/api/v1/orders?cursor=abc", Orders},
		{http.MethodPost, "/api/v1/orders/o1/cancel", Orders},
		{http.MethodGet, "/api/v1/merchant/orders", Orders},
		{http.MethodPost, "/api/v1/merchant/orders/o1/ship", Orders},
		{http.MethodGet, "/api/v1/merchant/analytics/summary", Analytics},
		{http.MethodGet, "/api/v1/merchant/reports/sales?format=csv", Analytics},
		{http.MethodGet, "/api/v1/users/me/notifications", Notifications},
		{http.MethodPut, "/api/v1/users/me/notifications", Notifications},
		{http.MethodPost, "/api/v1/users/me/addresses", Users},
		{http.MethodPut, "/api/v1/users/me/addresses/ad_1", Users},
		{http.MethodPost, "/api/v1/users/me/addresses/ad_1/default", Users},
		{http.MethodPost, "/api/v1/products/p1/reviews", Catalog},
		{http.MethodPost, "/api/v1/cart/discount", Orders},
		{http.MethodPut, "/api/v1/merchant/discounts/SPRING", Orders},
		{http.MethodPut, "/api/v1/merchant/shipping", Orders},
		{http.MethodPost, "/api/v1/merchant/webhooks", Notifications},
		{http.MethodGet, "/api/v1/merchant/webhooks/wh_1/deliveries", Notifications},
		{http.MethodDelete, "/api/v1/merchant/webhooks/wh_1", Notifications},
		{http.MethodGet, "/api/v1/payments/o1", Payments},
		{http.MethodPost, "/api/v1/payments/webhooks/stripe", Payments},
	}
	for _, tc := range cases {
		resp, body := tg.do(t, tc.method, tc.target, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s: status %d: %s", tc.method, tc.target, resp.StatusCode, body)
			continue
		}
		got := decodeEcho(t, body)
		if got.Upstream != tc.upstream || got.RequestURI != tc.target {
			t.Errorf("%s %s reached %s as %q, want %s with the same URI", tc.method, tc.target, got.Upstream, got.RequestURI, tc.upstream)
		}
	}
}

func TestUnknownPathsAre404ProblemsAndReachNoUpstream(t *testing.T) {
	tg := newTestGateway(t, breaker.Options{}, nil)
	for _, target := range []string{
		"/api/v1/nope",
		"/api/v2/products",
		"/api/v1/productsx",
		"/api/v1/merchant/customers",
		"/api/v1/checkout/extra",
		"/api/v1/products/../users/me",
	} {
		resp, body := tg.do(t, http.MethodGet, target, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, resp.StatusCode)
			continue
		}
		if p := decodeProblem(t, resp, body); p.Code != httpserver.CodeNotFound {
			t.Errorf("GET %s: code %q, want not_found", target, p.Code)
		}
	}
	for name, u := range tg.upstreams {
		if n := u.hits.Load(); n != 0 {
			t.Errorf("upstream %s received %d requests for unknown paths", name, n)
		}
	}
}

func TestForwardedHeaders(t *testing.T) {
	tg := newTestGateway(t, breaker.Options{}, nil)
	header := http.Header{
		"X-Request-Id":             {"req-42"},
		"X-User-Id":                {"admin"},
		"X-User-Roles":             {"admin"},
		"X-Merchant-Id":            {"m-1"},
		"X-Authenticated-User":     {"admin"},
		"X-Mercato-Identity-Roles": {"admin"},
		"X-Forwarded-For":          {"6.6.6.6"},
		"X-Forwarded-Host":         {"evil.example"},
		"Authorization":            {"Bearer token"},
		"X-Custom":                 {"kept"},
	}
	resp, body := tg.do(t, http.MethodGet, "/api/v1/users/me", header)
	got := decodeEcho(t, body)

	if id := got.Header.Get("X-Request-Id"); id != "req-42" {
		t.Errorf("upstream saw X-Request-ID %q, want req-42", id)
	}
	if id := resp.Header.Get("X-Request-Id"); id != "req-42" {
		t.Errorf("client got X-Request-ID %q, want req-42", id)
	}
	for _, name := range []string{"X-User-Id", "X-User-Roles", "X-Merchant-Id", "X-Authenticated-User", "X-Mercato-Identity-Roles"} {
		if v := got.Header.Values(name); len(v) != 0 {
			t.Errorf("identity header %s reached the upstream: %q", name, v)
		}
	}
	if got.Header.Get("Authorization") != "Bearer token" || got.Header.Get("X-Custom") != "kept" {
		t.Errorf("ordinary headers were not forwarded: %v", got.Header)
	}
	frontHost := strings.TrimPrefix(tg.front.URL, "http://")
	if xff := got.Header.Get("X-Forwarded-For"); xff != "127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q, want only the real client 127.0.0.1", xff)
	}
	if h := got.Header.Get("X-Forwarded-Host"); h != frontHost {
		t.Errorf("X-Forwarded-Host = %q, want %q", h, frontHost)
	}
	if p := got.Header.Get("X-Forwarded-Proto"); p != "http" {
		t.Errorf("X-Forwarded-Proto = %q, want http", p)
	}
	if got.Host != strings.TrimPrefix(tg.upstreams[Users].URL, "http://") {
		t.Errorf("Host = %q, want the upstream's host", got.Host)
	}
}

func TestGeneratedRequestIDReachesTheUpstream(t *testing.T) {
	tg := newTestGateway(t, breaker.Options{}, nil)
	resp, body := tg.do(t, http.MethodGet, "/api/v1/products", nil)
	got := decodeEcho(t, body)
	id := resp.Header.Get("X-Request-Id")
	if id == "" || got.Header.Get("X-Request-Id") != id {
		t.Errorf("client got request id %q, upstream saw %q; want the same, non-empty", id, got.Header.Get("X-Request-Id"))
	}
}

func TestNewRejectsMissingOrBadUpstreams(t *testing.T) {
	good := map[string]string{Users: "http://u", Catalog: "http://c", Orders: "http://o", Payments: "http://p", Analytics: "http://a", Notifications: "http://n"}
	if _, err := New(Options{Upstreams: good}); err != nil {
		t.Fatalf("valid upstreams: %v", err)
	}
	for name, bad := range map[string]string{Users: "", Catalog: "127.0.0.1:8082", Orders: "ftp://o", Payments: "http://%zz"} {
		upstreams := map[string]string{}
		for k, v := range good {
			upstreams[k] = v
		}
		upstreams[name] = bad
		if _, err := New(Options{Upstreams: upstreams}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("upstream %s = %q: got %v, want an error naming it", name, bad, err)
		}
	}
}

// closedURL is the URL of a port nothing listens on any more.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	_ = ln.Close()
	return url
}
