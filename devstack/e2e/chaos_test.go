package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/stack"
)

// TestCatalogDownFailsCheckoutFastAndCreatesNothing freezes the catalog
// (SIGSTOP: it holds its port but answers nothing), checks out until the
// orders service's breaker opens, then kills the frozen catalog so the
// supervisor restarts it, and checks out again.
func TestCatalogDownFailsCheckoutFastAndCreatesNothing(t *testing.T) {
	a := newAPI(t)
	st := suite(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Whisk "), 1500, 10)
	s := a.shopper()
	a.addToCart(s, p.ID, 1)

	before, _ := st.Supervisor().StatusOf("catalog")
	if err := syscall.Kill(before.PID, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	restarted := false
	defer func() {
		if !restarted {
			_ = syscall.Kill(before.PID, syscall.SIGKILL) // leave a working stack to the other tests
		}
	}()

	// Calls time out until the breaker opens; run them side by side.
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			r, err := a.call(http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody("pm_card_visa"), "Idempotency-Key", unique("key"))
			if err != nil || r.status != http.StatusServiceUnavailable {
				t.Errorf("checkout with the catalog frozen: %v %v", r, err)
			}
		})
	}
	wg.Wait()
	// Through the gateway: a fast 503. (It may come from the gateway's own
	// breaker for orders, which orders' 503s open and keep open while the
	// catalog is down.)
	var open response
	eventually(t, 10*time.Second, "a fast 503", func() (bool, string) {
		open = a.do(http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody("pm_card_visa"), "Idempotency-Key", unique("key"))
		return open.status == http.StatusServiceUnavailable && open.took < 100*time.Millisecond, fmt.Sprintf("%s in %s", open, open.took)
	})
	// At orders itself: its breaker for the catalog is open and answers
	// at once, without waiting for the frozen catalog.
	direct := &api{t: t, base: st.ServiceURL("orders")}
	eventually(t, 10*time.Second, "a fast 503 from orders' open catalog breaker", func() (bool, string) {
		r := direct.do(http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody("pm_card_visa"), "Idempotency-Key", unique("key"))
		var problem struct {
			Detail string `json:"detail"`
		}
		_ = json.Unmarshal(r.body, &problem)
		return r.status == http.StatusServiceUnavailable && problem.Detail == "catalog unavailable" &&
			r.header.Get("Retry-After") != "" && r.took < 100*time.Millisecond, fmt.Sprintf("%s in %s", r, r.took)
	})
	if open.header.Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After: %v", open.header)
	}
	// Nothing was created. (The gateway's own breaker for orders may be
	// open for a moment after the 503s, so poll.)
	eventually(t, 15*time.Second, "the order list", func() (bool, string) {
		r := a.do(http.MethodGet, "/api/v1/orders", s.Token, nil)
		var list orderList
		if r.status != http.StatusOK || json.Unmarshal(r.body, &list) != nil {
			return false, r.String()
		}
		if len(list.Items) != 0 {
			t.Fatalf("checkouts with the catalog down created %d orders", len(list.Items))
		}
		return true, ""
	})

	// The catalog comes back (killed while frozen, restarted by the
	// supervisor); checkout works again without restarting anything else.
	others := pids(st, "users", "orders", "payments", "gateway")
	if err := syscall.Kill(before.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	restarted = true
	eventually(t, 30*time.Second, "catalog back", func() (bool, string) {
		now, _ := st.Supervisor().StatusOf("catalog")
		return now.PID != before.PID && now.Ready, fmt.Sprintf("%+v", now)
	})
	key := unique("key")
	var o order
	eventually(t, 30*time.Second, "checkout works again", func() (bool, string) {
		r := a.do(http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody("pm_card_visa"), "Idempotency-Key", key)
		if r.status != http.StatusAccepted {
			return false, r.String()
		}
		return json.Unmarshal(r.body, &o) == nil, r.String()
	})
	a.waitStatus(s, o.ID, "paid", "", 10*time.Second)
	if after := pids(st, "users", "orders", "payments", "gateway"); fmt.Sprint(after) != fmt.Sprint(others) {
		t.Fatalf("other services restarted: %v → %v", others, after)
	}
}

// pids lists the current process ids of the named services.
func pids(st *stack.Stack, names ...string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		s, _ := st.Supervisor().StatusOf(n)
		out[i] = s.PID
	}
	return out
}
