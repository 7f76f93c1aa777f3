package e2e

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"
)

// shoppers registers n shoppers concurrently.
func (a *api) shoppers(n int) []user {
	a.t.Helper()
	out := make([]user, n)
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			u, err := a.tryRegister("shopper")
			if err != nil {
				a.t.Error(err)
			}
			out[i] = u
		})
	}
	wg.Wait()
	if a.t.Failed() {
		a.t.FailNow()
	}
	return out
}

func TestOversellIsImpossible(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Limited "), 2500, 10)
	buyers := a.shoppers(30)
	for _, s := range buyers {
		a.addToCart(s, p.ID, 1)
	}
	ids := make([]string, len(buyers))
	var wg sync.WaitGroup
	for i, s := range buyers {
		wg.Go(func() {
			r, err := a.call(http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody("pm_card_visa"), "Idempotency-Key", unique("key"))
			if err != nil || r.status != http.StatusAccepted {
				t.Errorf("checkout %d: %v %v", i, r, err)
				return
			}
			var o order
			if err := json.Unmarshal(r.body, &o); err != nil {
				t.Error(err)
			}
			ids[i] = o.ID
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	statuses := map[string]int{}
	paidIDs := []string{}
	for i, s := range buyers {
		var o order
		eventually(t, 30*time.Second, "order "+ids[i]+" terminal", func() (bool, string) {
			o = a.order(s, ids[i])
			return terminal[o.Status], o.Status
		})
		key := o.Status
		if o.Status == "cancelled" {
			key += "/" + o.CancelReason
		}
		statuses[key]++
		if o.Status == "paid" {
			paidIDs = append(paidIDs, o.ID)
		}
	}
	if statuses["paid"] != 10 || statuses["cancelled/out_of_stock"] != 20 {
		t.Fatalf("outcomes %v, want 10 paid and 20 cancelled/out_of_stock", statuses)
	}
	a.waitAvailable(p.ID, 0, 5*time.Second)
	paid := map[string]bool{}
	for _, id := range paidIDs {
		paid[id] = true
	}
	charges := 0
	for i := range ids {
		act := stripeActivity(t, ids[i])
		charges += act.SucceededCharges
		if want := map[bool]int{true: 1, false: 0}[paid[ids[i]]]; act.SucceededCharges != want {
			t.Errorf("order %s (paid %v) has %d charges in the emulator, want %d", ids[i], paid[ids[i]], act.SucceededCharges, want)
		}
	}
	if charges != 10 {
		t.Fatalf("%d charges in the emulator, want 10", charges)
	}
	var list orderList
	a.must(http.StatusOK, &list, http.MethodGet, "/api/v1/merchant/orders?limit=100", m.Token, nil)
	if len(list.Items) != 30 {
		t.Fatalf("the merchant sees %d orders, want 30", len(list.Items))
	}
}

func TestOneIdempotencyKeyMakesOneOrderAndOneCharge(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Spoon "), 300, 50)

	t.Run("twice in a row", func(t *testing.T) {
		a := &api{t: t, base: a.base}
		s := a.shopper()
		a.addToCart(s, p.ID, 2)
		key := unique("key")
		first := a.checkout(s, key, "pm_card_visa")
		second := a.checkout(s, key, "pm_card_visa")
		if first.ID != second.ID {
			t.Fatalf("two orders for one key: %s, %s", first.ID, second.ID)
		}
		if r := a.do(http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody("pm_card_mastercard"), "Idempotency-Key", key); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("same key, other body: %s", r)
		}
		oneOrderOneCharge(a, s, first.ID)
	})
	t.Run("concurrently", func(t *testing.T) {
		a := &api{t: t, base: a.base}
		s := a.shopper()
		a.addToCart(s, p.ID, 1)
		key := unique("key")
		const n = 8
		ids := make(chan string, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				r, err := a.call(http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody("pm_card_visa"), "Idempotency-Key", key)
				var o order
				if err != nil || r.status != http.StatusAccepted || json.Unmarshal(r.body, &o) != nil {
					t.Errorf("checkout: %v %v", r, err)
					return
				}
				ids <- o.ID
			})
		}
		wg.Wait()
		close(ids)
		seen := map[string]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 1 {
			t.Fatalf("orders %v, want one", seen)
		}
		for id := range seen {
			oneOrderOneCharge(a, s, id)
		}
	})
}

// oneOrderOneCharge checks that s has exactly the order id, paid once.
func oneOrderOneCharge(a *api, s user, id string) {
	a.t.Helper()
	a.waitStatus(s, id, "paid", "", 5*time.Second)
	var list orderList
	a.must(http.StatusOK, &list, http.MethodGet, "/api/v1/orders", s.Token, nil)
	if len(list.Items) != 1 || list.Items[0].ID != id {
		a.t.Fatalf("shopper has orders %+v, want only %s", list.Items, id)
	}
	if act := stripeActivity(a.t, id); act.SucceededCharges != 1 || len(act.PaymentIntents) != 1 {
		a.t.Fatalf("emulator: %s, %d payment intents", describe(act), len(act.PaymentIntents))
	}
}
