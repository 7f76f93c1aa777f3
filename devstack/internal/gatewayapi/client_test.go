package gatewayapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestCallSendsTheTokenAndHeadersAndReadsTheAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == "/ok" && r.Header.Get("Authorization") == "Bearer tok" &&
			r.Header.Get("Idempotency-Key") == "k1" && r.Header.Get("Content-Type") == "application/json" && string(body) == `{"a":1}`:
			_, _ = io.WriteString(w, `{"id":"o1"}`)
		case r.URL.Path == "/busy":
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, ` {"code":"rate_limited"} `)
		default:
			http.Error(w, "unexpected request", http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	c := New(srv.URL+"/", 2, 5*time.Second)
	ctx := context.Background()

	var out struct {
		ID string `json:"id"`
	}
	if err := c.Call(ctx, http.MethodPost, "/ok", "tok", map[string]int{"a": 1}, &out, "Idempotency-Key", "k1"); err != nil || out.ID != "o1" {
		t.Fatalf("call: %v, answer %+v", err, out)
	}

	err := c.Call(ctx, http.MethodGet, "/busy", "", nil, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusTooManyRequests || se.RetryAfter != 3*time.Second ||
		se.Body != `{"code":"rate_limited"}` || se.Method != http.MethodGet || se.Path != "/busy" {
		t.Fatalf("a 429 gave %#v (%v)", se, err)
	}
}
