package breaker

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

func TestClientGetJSONMapsResponses(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"p1","name":"Mug"}`))
	})
	mux.HandleFunc("GET /bad", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad cursor", http.StatusBadRequest)
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	client := NewClient(srv.URL+"/", Options{Name: "catalog"})
	ctx := context.Background()

	var product struct{ ID, Name string }
	if err := client.GetJSON(ctx, "/ok", &product); err != nil || product.ID != "p1" || product.Name != "Mug" {
		t.Errorf("GET /ok: %+v, %v", product, err)
	}

	if err := client.GetJSON(ctx, "/missing", nil); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("GET /missing: got %v, want ErrNotFound", err)
	}

	var status *StatusError
	if err := client.GetJSON(ctx, "/bad", nil); !errors.As(err, &status) || status.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /bad: got %v, want StatusError 400", err)
	}

	var retryable *apperr.RetryableError
	err := client.GetJSON(ctx, "/boom", nil)
	if !errors.Is(err, apperr.ErrUnavailable) || !errors.As(err, &retryable) || retryable.RetryAfter <= 0 {
		t.Errorf("GET /boom: got %v, want a RetryableError of kind ErrUnavailable", err)
	}
}

func TestClientMapsNetworkErrorsAndOpenBreaker(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	client := NewClient(url, Options{Name: "catalog", ConsecutiveFailures: 1, OpenFor: time.Minute})

	var retryable *apperr.RetryableError
	err := client.GetJSON(context.Background(), "/x", nil)
	if !errors.Is(err, apperr.ErrUnavailable) || !errors.As(err, &retryable) || retryable.RetryAfter <= 0 {
		t.Fatalf("connection refused: got %v, want a RetryableError of kind ErrUnavailable", err)
	}
	if client.State().String() != "open" {
		t.Fatalf("state = %s, want open", client.State())
	}
	var open *apperr.RetryableError
	err = client.GetJSON(context.Background(), "/x", nil)
	if !errors.As(err, &open) {
		t.Fatalf("open breaker: got %v, want a RetryableError", err)
	}
	if open.Detail != "catalog unavailable" || open.RetryAfter < 30*time.Second {
		t.Errorf("open breaker: %q retry after %s, want the remaining open time (about 1m)", open.Detail, open.RetryAfter)
	}
}

func TestClientCallerCancellationIsNotUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	client := NewClient(srv.URL, Options{Name: "catalog"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := client.GetJSON(ctx, "/x", nil)
	if !errors.Is(err, context.Canceled) || errors.Is(err, apperr.ErrUnavailable) {
		t.Errorf("got %v, want context.Canceled and not ErrUnavailable", err)
	}
}
