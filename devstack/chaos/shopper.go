package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// seedTimeout bounds each seed call's retries (the stack is fresh, but a
// service may still be warming up).
const seedTimeout = 30 * time.Second

// product is a seeded product and the units it started with.
type product struct {
	ID      string
	Initial int64
}

// seed makes the merchant, its products and the shoppers.
func (r *run) seed(ctx context.Context) error {
	tag := fmt.Sprintf("%d", time.Now().UnixNano())
	err := retry(ctx, seedTimeout, func() (err error) {
		r.merchant, err = r.c.register(ctx, "merchant", "merchant-"+tag)
		return err
	})
	if err != nil {
		return err
	}
	for i := range r.p.Products {
		var out struct {
			ID string `json:"id"`
		}
		body := map[string]any{
			"sku": fmt.Sprintf("CH-%s-%d", tag, i), "name": fmt.Sprintf("Chaos item %d", i), "description": "A chaos suite product",
			"category": "chaos", "price": map[string]any{"amount": 1000 + 100*i, "currency": "USD"}, "stock": r.p.Stock, "images": []string{},
		}
		if err := retry(ctx, seedTimeout, func() error {
			return r.c.Call(ctx, http.MethodPost, "/api/v1/merchant/products", r.merchant, body, &out)
		}); err != nil {
			return err
		}
		r.products = append(r.products, product{ID: out.ID, Initial: r.p.Stock})
	}
	for i := range r.p.Shoppers {
		var tok string
		if err := retry(ctx, seedTimeout, func() (err error) {
			tok, err = r.c.register(ctx, "shopper", fmt.Sprintf("shopper-%s-%d", tag, i))
			return err
		}); err != nil {
			return err
		}
		r.shoppers = append(r.shoppers, tok)
	}
	return nil
}

// load runs one journey loop per shopper until ctx ends.
func (r *run) load(ctx context.Context) {
	var wg sync.WaitGroup
	var paid atomic.Int64
	for i, tok := range r.shoppers {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				r.journey(ctx, i, n, tok, &paid)
			}
		})
	}
	wg.Wait()
}

// journey is one visit: a unit in the cart, checkout (sent again with
// the same Idempotency-Key until it is answered), then polling the order
// until it is terminal; every CancelEvery-th paid order is cancelled.
// Calls in flight when ctx ends finish under their own deadline, so an
// order the suite accepted is always recorded.
func (r *run) journey(ctx context.Context, shopper, n int, token string, paid *atomic.Int64) {
	p := r.products[rand.IntN(len(r.products))] //nolint:gosec // load shape, not security
	if err := r.timed(stepCart, func() error {
		return r.c.Call(ctx, http.MethodPut, "/api/v1/cart/items/"+p.ID, token, map[string]int{"quantity": 1}, nil)
	}); err != nil {
		_ = wait(ctx, 200*time.Millisecond)
		return
	}
	key := fmt.Sprintf("chaos-%d-%d-%d", r.rec.start.UnixNano(), shopper, n)
	// Once sent, a checkout is followed to an answer even after the load
	// stops: it may have been accepted.
	callCtx := context.WithoutCancel(ctx)
	var o order
	err := retry(callCtx, 60*time.Second, func() (err error) {
		return r.timed(stepCheckout, func() (err error) { o, err = r.c.checkout(callCtx, token, key); return err })
	})
	if err != nil {
		r.rec.unanswered(definite(err))
		_ = wait(ctx, 200*time.Millisecond)
		return
	}
	placed := time.Now()
	r.rec.accepted(o.ID, shopper, placed)
	deadline := placed.Add(r.p.OrderTimeout)
	for !o.terminal() && time.Now().Before(deadline) && wait(ctx, 200*time.Millisecond) == nil {
		var got order
		if r.timed(stepStatus, func() error {
			return r.c.Call(ctx, http.MethodGet, "/api/v1/orders/"+o.ID, token, nil, &got)
		}) == nil {
			o = got
		}
	}
	if !o.terminal() {
		return // the drain follows it
	}
	r.rec.terminal(o.ID, placed, time.Now())
	if o.Status == "paid" && r.p.CancelEvery > 0 && paid.Add(1)%int64(r.p.CancelEvery) == 0 {
		err := retry(callCtx, 30*time.Second, func() error {
			return r.timed(stepCancel, func() error {
				return r.c.Call(callCtx, http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", token, nil, nil)
			})
		})
		if err == nil {
			r.rec.cancelled(o.ID)
		}
	}
}

// timed runs call and records its latency and outcome as step.
func (r *run) timed(step string, call func() error) error {
	start := time.Now()
	err := call()
	r.rec.call(step, start, time.Since(start), err)
	return err
}
