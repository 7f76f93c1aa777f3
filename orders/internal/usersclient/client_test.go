package usersclient_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/usersclient"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/breaker"
)

const path = "/internal/v1/users/u-1/addresses/default"

// serve answers the default address route of u-1 with status and body
// when the request carries tok-1, and counts the calls.
func serve(t *testing.T, status int, body []byte) (*usersclient.Client, *atomic.Int64, *httptest.Server) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != path || r.Header.Get("Authorization") != "Bearer tok-1" {
			http.Error(w, `{"code":"forbidden"}`, http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c := usersclient.New(srv.URL, breaker.Options{Timeout: time.Second, ConsecutiveFailures: 2, OpenFor: time.Minute})
	return c, &calls, srv
}

// TestTheClientReadsTheUsersContract serves contracts/users-address.json,
// which users' tests pin to its real renderer, and reads it with the
// shopper's token: every field of the order's address comes out of it.
func TestTheClientReadsTheUsersContract(t *testing.T) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	contract, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "contracts", "users-address.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := serve(t, http.StatusOK, contract)
	got, err := c.DefaultAddress(context.Background(), "u-1", "tok-1")
	want := domain.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", Line2: "Flat 3", City: "London",
		Region: "Greater London", PostalCode: "N1 9GU", Country: "GB"}
	if err != nil || got != want {
		t.Fatalf("DefaultAddress = %+v, %v; want %+v", got, err, want)
	}
	if _, err := c.DefaultAddress(context.Background(), "u-1", "another-token"); err == nil || errors.Is(err, apperr.ErrUnavailable) {
		t.Fatalf("a refused token: %v, want a plain error", err)
	}
}

func TestNoDefaultAddressIsNotFound(t *testing.T) {
	c, _, _ := serve(t, http.StatusNotFound, []byte(`{"code":"not_found"}`))
	if _, err := c.DefaultAddress(context.Background(), "u-1", "tok-1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("404: %v, want ErrNotFound", err)
	}
}

func TestARefusedTokenIsUnauthorized(t *testing.T) {
	c, _, _ := serve(t, http.StatusUnauthorized, []byte(`{"code":"unauthorized"}`))
	if _, err := c.DefaultAddress(context.Background(), "u-1", "tok-1"); !errors.Is(err, apperr.ErrUnauthorized) {
		t.Fatalf("401: %v, want ErrUnauthorized", err)
	}
}

// A failing users service is retryable (503) and opens the breaker, which
// then fails fast without calling.
func TestUsersFailingIsUnavailableAndOpensTheBreaker(t *testing.T) {
	c, calls, _ := serve(t, http.StatusInternalServerError, []byte(`{}`))
	for i := range 2 {
		_, err := c.DefaultAddress(context.Background(), "u-1", "tok-1")
		if _, retryable := apperr.RetryAfterOf(err); !errors.Is(err, apperr.ErrUnavailable) || !retryable {
			t.Fatalf("call %d: %v, want a retryable ErrUnavailable", i, err)
		}
	}
	before := calls.Load()
	_, err := c.DefaultAddress(context.Background(), "u-1", "tok-1")
	if !errors.Is(err, apperr.ErrUnavailable) || calls.Load() != before {
		t.Fatalf("open breaker: %v after %d calls (before %d)", err, calls.Load(), before)
	}
}

func TestUsersDownIsUnavailable(t *testing.T) {
	c, _, srv := serve(t, http.StatusOK, nil)
	srv.Close()
	_, err := c.DefaultAddress(context.Background(), "u-1", "tok-1")
	if _, retryable := apperr.RetryAfterOf(err); !errors.Is(err, apperr.ErrUnavailable) || !retryable {
		t.Fatalf("users down: %v, want a retryable ErrUnavailable", err)
	}
}
