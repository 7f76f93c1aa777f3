package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/stack"
)

// TestOrdersKilledMidCheckoutLosesNothingAndChargesOnce SIGKILLs the orders
// service while twenty shoppers check out. Each shopper retries with its
// own Idempotency-Key until accepted, as a client should; the supervisor
// restarts orders. Every order must reach a terminal state, and none may
// be charged twice (or, when cancelled, keep any money).
func TestOrdersKilledMidCheckoutLosesNothingAndChargesOnce(t *testing.T) {
	a := newAPI(t)
	st := suite(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Tray "), 2000, 100)
	buyers := a.shoppers(20)
	for _, s := range buyers {
		a.addToCart(s, p.ID, 1)
	}

	victim, _ := st.Supervisor().StatusOf("orders")
	firstAccepted := make(chan struct{})
	var once sync.Once
	ids := make([]string, len(buyers))
	var wg sync.WaitGroup
	for i, s := range buyers {
		wg.Go(func() {
			key := unique("key")
			deadline := time.Now().Add(60 * time.Second)
			for {
				r, err := a.call(http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody("pm_card_visa"), "Idempotency-Key", key)
				var o order
				if err == nil && r.status == http.StatusAccepted && json.Unmarshal(r.body, &o) == nil {
					ids[i] = o.ID
					once.Do(func() { close(firstAccepted) })
					return
				}
				if time.Now().After(deadline) {
					t.Errorf("shopper %d: checkout never accepted: %v %v", i, r, err)
					return
				}
				time.Sleep(100 * time.Millisecond) // client retry backoff
			}
		})
		if i == 4 {
			// Kill orders while the rest are still arriving.
			select {
			case <-firstAccepted:
				if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
					t.Error(err)
				}
			case <-time.After(30 * time.Second):
				t.Error("no checkout accepted before the kill")
			}
		}
	}
	wg.Wait()
	if t.Failed() {
		now, _ := st.Supervisor().StatusOf("orders")
		t.Fatalf("orders now %+v; end of its log:\n%s\nend of the gateway's log:\n%s",
			now, tailLog(st.LogPath("orders")), tailLog(st.LogPath(stack.Gateway)))
	}
	if now, _ := st.Supervisor().StatusOf("orders"); now.PID == victim.PID || now.Restarts <= victim.Restarts {
		t.Fatalf("orders was not restarted: before %+v, now %+v", victim, now)
	}

	distinct := map[string]bool{}
	for i, s := range buyers {
		distinct[ids[i]] = true
		var o order
		eventually(t, 60*time.Second, fmt.Sprintf("order %d terminal", i), func() (bool, string) {
			o = a.order(s, ids[i])
			return terminal[o.Status], o.Status
		})
		eventually(t, 20*time.Second, fmt.Sprintf("order %d charged right", i), func() (bool, string) {
			act := stripeActivity(t, o.ID)
			switch {
			case act.SucceededCharges > 1:
				t.Fatalf("order %s (%s) charged twice: %s", o.ID, o.Status, describe(act))
			case o.Status == "paid":
				return act.SucceededCharges == 1 && netCharged(act) == o.Total.Amount, describe(act)
			}
			return netCharged(act) == 0, describe(act)
		})
		var list orderList
		a.must(http.StatusOK, &list, http.MethodGet, "/api/v1/orders", s.Token, nil)
		if len(list.Items) != 1 {
			t.Fatalf("shopper %d has %d orders, want 1", i, len(list.Items))
		}
	}
	if len(distinct) != len(buyers) {
		t.Fatalf("%d distinct orders for %d shoppers", len(distinct), len(buyers))
	}
}

// tailLog is the end of a log file, for failure messages.
func tailLog(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return string(b[max(len(b)-3000, 0):])
}
