package ratelimit

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestAScriptedCheckoutBurstIsCutAtTheUserBudget is OWASP API6 (sensitive
// business flows): a bot that checks out a hot item as fast as it can, from
// many addresses behind a trusted proxy, gets the user's checkout budget
// and no more, while another shopper still checks out.
func TestAScriptedCheckoutBurstIsCutAtTheUserBudget(t *testing.T) {
	var opts Options
	opts.PerAddress[Checkout] = Quota{Limit: 100, Window: time.Minute}
	opts.PerUser[Checkout] = Quota{Limit: 5, Window: time.Minute}
	f := newFront(t, opts, []string{"127.0.0.1/32"})
	client := clientFrom("127.0.0.1")

	placed := 0
	for i := range 50 {
		h := http.Header{"X-Test-User": {"bot"}, "X-Forwarded-For": {"198.51.100." + strconv.Itoa(i)}}
		switch code := status(t, f, client, http.MethodPost, "/api/v1/checkout", h); code {
		case http.StatusOK:
			placed++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("checkout %d: status %d", i, code)
		}
	}
	if placed != 5 {
		t.Fatalf("the bot placed %d checkouts from 50 addresses, want its budget of 5", placed)
	}
	if code := status(t, f, client, http.MethodPost, "/api/v1/checkout", http.Header{"X-Test-User": {"shopper"}}); code != http.StatusOK {
		t.Fatalf("another shopper's checkout: status %d, want 200", code)
	}
	// Browsing is a budget of its own: the bot can still read.
	if code := status(t, f, client, http.MethodGet, "/api/v1/products", http.Header{"X-Test-User": {"bot"}}); code != http.StatusOK {
		t.Fatalf("the bot's read after its checkouts ran out: %d", code)
	}
}
