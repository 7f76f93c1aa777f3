package authn_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mercato-shop/mercato/gateway/internal/authn"
	"github.com/mercato-shop/mercato/gateway/internal/proxy"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/auth/claims"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/testkit/authtest"
)

func TestPublic(t *testing.T) {
	cases := []struct {
		method, path string
		public       bool
	}{
		{"POST", "/api/v1/auth/register", true},
		{"POST", "/api/v1/auth/login", true},
		{"POST", "/api/v1/auth/refresh", true},
		{"GET", "/api/v1/auth/jwks.json", true},
		{"POST", "/api/v1/auth/logout", false},
		{"GET", "/api/v1/auth/login", false},
		{"POST", "/api/v1/auth/register/extra", false},
		{"GET", "/api/v1/products", true},
		{"HEAD", "/api/v1/products", true},
		{"GET", "/api/v1/products/p-1", true},
		{"POST", "/api/v1/products", false},
		{"POST", "/api/v1/products/p-1/reviews", false}, // a review needs a shopper's token
		{"GET", "/api/v1/products/p-1/reviews", true},
		{"GET", "/api/v1/productsx", false},
		{"GET", "/api/v1/products/../cart", false},
		{"GET", "/api/v1/products//x", false},
		{"GET", "/api/v1/categories", true},
		{"GET", "/api/v1/categories/shoes", true},
		{"POST", "/api/v1/payments/webhooks/stripe", true},
		{"GET", "/api/v1/payments/webhooks/stripe", false},
		{"GET", "/api/v1/payments/o-1", false},
		{"GET", "/api/v1/users/me", false},
		{"GET", "/api/v1/cart", false},
		{"POST", "/api/v1/checkout", false},
		{"GET", "/api/v1/merchant/products", false},
		{"GET", "/api/v1/orders", false},
		{"GET", "/.well-known/jwks.json", true},
		{"GET", "/", true},
		{"GET", "/assets/app.js", true},
		{"GET", "/healthz", true},
	}
	for _, tc := range cases {
		if got := authn.Public(tc.method, tc.path); got != tc.public {
			t.Errorf("Public(%s %s) = %v, want %v", tc.method, tc.path, got, tc.public)
		}
	}
}

// upstream is a fake service that counts hits and echoes the headers it got.
type upstream struct {
	*httptest.Server
	hits atomic.Int64
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Header)
	}))
	t.Cleanup(u.Close)
	return u
}

// gateway wires the token check and the proxy exactly as main does, on the
// real httpserver engine, in front of one fake upstream for every service.
func gateway(t *testing.T, v *auth.Verifier) (*httptest.Server, *upstream) {
	t.Helper()
	up := newUpstream(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httpserver.New(httpserver.Options{Service: "gateway", Logger: logger})
	gw, err := proxy.New(proxy.Options{Logger: logger, Upstreams: map[string]string{
		proxy.Users: up.URL, proxy.Catalog: up.URL, proxy.Orders: up.URL, proxy.Payments: up.URL,
		proxy.Analytics: up.URL, proxy.Notifications: up.URL,
	}})
	if err != nil {
		t.Fatal(err)
	}
	gw.Register(srv.Router().Group("", authn.Middleware(v)))
	front := httptest.NewServer(srv.Router())
	t.Cleanup(front.Close)
	return front, up
}

func call(t *testing.T, front *httptest.Server, method, path, token string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, front.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := front.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

var shopper = auth.Caller{UserID: "user-1", Roles: []string{auth.RoleShopper}}

// forged are the tokens of the issue that the gateway must refuse.
func forged(t *testing.T, iss *authtest.Issuer) map[string]string {
	t.Helper()
	sign := func(method jwt.SigningMethod, key any, mutate func(*jwt.Token)) string {
		tok := jwt.NewWithClaims(method, authtest.Claims(shopper))
		tok.Header["kid"] = "test-key-1"
		if mutate != nil {
			mutate(tok)
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	withClaims := func(change func(c *claims.Access)) string {
		c := authtest.Claims(shopper)
		change(&c)
		return iss.Sign("test-key-1", c)
	}
	valid := strings.Split(iss.Token(shopper), ".")
	admin := authtest.Claims(auth.Caller{UserID: "user-1", Roles: []string{auth.RoleAdmin}})
	adminJSON, _ := json.Marshal(admin)
	return map[string]string{
		"alg none":                  sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil),
		"HS256 with the public key": sign(jwt.SigningMethodHS256, []byte(iss.PublicKey("test-key-1")), nil),
		"expired": withClaims(func(c *claims.Access) {
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Minute))
		}),
		"wrong issuer":     withClaims(func(c *claims.Access) { c.Issuer = "evil" }),
		"wrong audience":   withClaims(func(c *claims.Access) { c.Audience = jwt.ClaimStrings{"elsewhere"} }),
		"tampered payload": valid[0] + "." + base64.RawURLEncoding.EncodeToString(adminJSON) + "." + valid[2],
		"unknown kid":      iss.Sign("unpublished", authtest.Claims(shopper)),
		"garbage":          "a.b.c",
	}
}

func TestGatewayRefusesForgedTokensBeforeTheUpstream(t *testing.T) {
	iss := authtest.New(t)
	iss.AddKey("unpublished", false)
	front, up := gateway(t, iss.Verifier(t))

	for name, token := range forged(t, iss) {
		t.Run(name, func(t *testing.T) {
			for _, route := range [][2]string{{"GET", "/api/v1/users/me"}, {"GET", "/api/v1/orders"}, {"POST", "/api/v1/auth/logout"}, {"GET", "/api/v1/merchant/products"}} {
				resp, body := call(t, front, route[0], route[1], token, nil)
				if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("Content-Type"), httpserver.ContentTypeProblem) ||
					resp.Header.Get("WWW-Authenticate") == "" || !strings.Contains(string(body), `"code":"unauthorized"`) {
					t.Fatalf("%s %s: %d %s", route[0], route[1], resp.StatusCode, body)
				}
			}
		})
	}
	if resp, _ := call(t, front, "GET", "/api/v1/cart", "", map[string]string{"X-User-Id": "user-1"}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no token, identity header: %d", resp.StatusCode)
	}
	if n := up.hits.Load(); n != 0 {
		t.Fatalf("%d refused requests reached an upstream", n)
	}
}

func TestGatewayForwardsValidTokensAndPublicRoutes(t *testing.T) {
	iss := authtest.New(t)
	front, up := gateway(t, iss.Verifier(t))

	resp, body := call(t, front, "GET", "/api/v1/users/me", iss.Token(shopper), map[string]string{"X-User-Id": "admin", "X-User-Roles": "admin"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("valid token: %d %s", resp.StatusCode, body)
	}
	var got http.Header
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") == "" || got.Get("X-User-Id") != "" || got.Get("X-User-Roles") != "" {
		t.Fatalf("upstream got headers %v: the token must pass, identity headers must not", got)
	}

	for _, route := range [][2]string{
		{"POST", "/api/v1/auth/register"}, {"POST", "/api/v1/auth/login"}, {"POST", "/api/v1/auth/refresh"},
		{"GET", "/api/v1/products"}, {"GET", "/api/v1/products/p-1"}, {"GET", "/api/v1/categories"},
		{"POST", "/api/v1/payments/webhooks/stripe"}, {"GET", "/.well-known/jwks.json"},
	} {
		if resp, body := call(t, front, route[0], route[1], "", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("public %s %s: %d %s", route[0], route[1], resp.StatusCode, body)
		}
	}
	if n := up.hits.Load(); n != 9 {
		t.Fatalf("upstream hits %d, want 9", n)
	}
}
