package authn

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"

	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/testkit/authtest"
)

// countingVerifier counts the signature checks it passes on.
type countingVerifier struct {
	TokenVerifier
	calls atomic.Int64
}

func (v *countingVerifier) Verify(ctx context.Context, raw string) (auth.Caller, error) {
	v.calls.Add(1)
	return v.TokenVerifier.Verify(ctx, raw)
}

func TestAVerifiedTokenIsCheckedOnceAndAForgedOneEveryTime(t *testing.T) {
	iss := authtest.New(t)
	v := &countingVerifier{TokenVerifier: iss.Verifier(t)}
	srv := httpserver.New(httpserver.Options{Service: "gateway", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv.Router().GET("/api/v1/users/me", Middleware(v), func(c *gin.Context) {
		caller, _ := auth.CallerFrom(c.Request.Context())
		c.String(http.StatusOK, caller.UserID)
	})
	front := httptest.NewServer(srv.Router())
	t.Cleanup(front.Close)
	get := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, front.URL+"/api/v1/users/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := front.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	token := iss.Token(auth.Caller{UserID: "user-7", Roles: []string{auth.RoleShopper}})
	for range 5 {
		if code, body := get(token); code != http.StatusOK || body != "user-7" {
			t.Fatalf("valid token: %d %q", code, body)
		}
	}
	if n := v.calls.Load(); n != 1 {
		t.Fatalf("%d signature checks for five requests with one token, want 1", n)
	}
	forged := token[:len(token)-4] + "AAAA"
	for range 3 {
		if code, _ := get(forged); code != http.StatusUnauthorized {
			t.Fatalf("forged signature: %d, want 401", code)
		}
	}
	if n := v.calls.Load(); n != 4 {
		t.Fatalf("%d signature checks after three forged requests, want 4 (never cached)", n)
	}
}

func TestTheCacheForgetsATokenWhenItExpiresAndStaysBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := newTokenCache(100, time.Minute, clock)
	key := sha256.Sum256([]byte("token"))
	c.put(key, auth.Caller{UserID: "u"}, now.Add(20*time.Second))
	if _, ok := c.get(key); !ok {
		t.Fatal("a fresh token is not remembered")
	}
	now = now.Add(20 * time.Second)
	if _, ok := c.get(key); ok {
		t.Fatal("a token is still admitted from the cache at its exp")
	}

	long := sha256.Sum256([]byte("long-lived"))
	c.put(long, auth.Caller{UserID: "u"}, now.Add(24*time.Hour))
	now = now.Add(time.Minute)
	if _, ok := c.get(long); ok {
		t.Fatal("a token is remembered longer than the TTL")
	}

	c.put(sha256.Sum256([]byte("expired")), auth.Caller{}, now.Add(-time.Second))
	c.put(sha256.Sum256([]byte("no exp")), auth.Caller{}, time.Time{})
	for i := range 1000 {
		c.put(sha256.Sum256([]byte(strconv.Itoa(i))), auth.Caller{UserID: "u"}, now.Add(time.Hour))
	}
	if n := c.len(); n > 100 {
		t.Fatalf("cache holds %d tokens, bound is 100", n)
	}
}

func TestExpiryOfReadsTheExpClaim(t *testing.T) {
	exp := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": exp.Unix()})
	raw, err := tok.SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	if got := expiryOf(raw); !got.Equal(exp) {
		t.Fatalf("expiryOf = %v, want %v", got, exp)
	}
	for _, bad := range []string{"", "a.b", "a.!!.c", "a.e30.c"} {
		if got := expiryOf(bad); !got.IsZero() {
			t.Errorf("expiryOf(%q) = %v, want zero", bad, got)
		}
	}
}
