package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/webhook"
)

func TestOutsideTheDevstackLoopbackIsRefusedAtConnectionTime(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	prod := webhook.NewClient(domain.URLPolicy{}, 2*time.Second)
	// A name that resolves to loopback passes a check of the URL's text,
	// but not the check of the address the connection goes to.
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	for _, url := range []string{srv.URL, byName} {
		if _, err := prod.Post(context.Background(), url, nil, []byte("{}")); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: %v, want the connection refused", url, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the endpoint was reached %d times", n)
	}
	dev := webhook.NewClient(domain.URLPolicy{AllowLoopback: true}, 2*time.Second)
	status, err := dev.Post(context.Background(), srv.URL, map[string]string{"X-Test": "1"}, []byte("{}"))
	if err != nil || status != http.StatusOK || hits.Load() != 1 {
		t.Errorf("devstack: %d %v (hits %d)", status, err, hits.Load())
	}
}

func TestSlowHugeAndRedirectingEndpointsAreBounded(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, _ *http.Request) {
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 16 << 10 { // up to 1 GiB, far more than is ever read
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/huge", http.StatusFound) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := webhook.NewClient(domain.URLPolicy{AllowLoopback: true}, 300*time.Millisecond)

	start := time.Now()
	if _, err := c.Post(context.Background(), srv.URL+"/slow", nil, nil); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("slow endpoint: %v after %s, want a timeout", err, time.Since(start))
	}
	start = time.Now()
	status, err := c.Post(context.Background(), srv.URL+"/huge", nil, nil)
	if err != nil || status != http.StatusOK || time.Since(start) > 5*time.Second {
		t.Errorf("huge reply: %d %v after %s, want 200 with the reply cut at %d bytes", status, err, time.Since(start), webhook.MaxReplyBytes)
	}
	if _, err := c.Post(context.Background(), srv.URL+"/redirect", nil, nil); err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("redirect: %v, want it refused", err)
	}
}
