package usecase_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// TestInvariantUnderRandomOperations runs a random mix of reserve, commit,
// release, refund, expire and restock, with redeliveries, and checks after
// every step that available + held + sold = initial + restocked, that no
// counter is negative, and that held units match the open reservations.
func TestInvariantUnderRandomOperations(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	rng := rand.New(rand.NewPCG(7, 11))
	var products []domain.Product
	initial := map[string]int64{}
	for i := range 4 {
		p := e.create(t, fmt.Sprintf("P%d", i), int64(rng.IntN(8)))
		products = append(products, p)
		initial[p.ID] = p.Initial
	}
	restocked := map[string]int64{}
	var orders []string
	for step := range 120 {
		switch op := rng.IntN(7); op {
		case 0, 1: // reserve a new order (sometimes redelivered)
			id := fmt.Sprintf("o%d", step)
			var lines []domain.Line
			for range 1 + rng.IntN(3) {
				lines = append(lines, domain.Line{ProductID: products[rng.IntN(len(products))].ID, Quantity: int64(1 + rng.IntN(3))})
			}
			for range 1 + rng.IntN(2) {
				if err := e.svc.Reserve(ctx, id, lines); err != nil {
					t.Fatal(err)
				}
			}
			orders = append(orders, id)
		case 2: // paid
			if len(orders) > 0 {
				if err := e.svc.Commit(ctx, orders[rng.IntN(len(orders))]); err != nil {
					t.Fatal(err)
				}
			}
		case 3: // cancelled (release or refund)
			if len(orders) > 0 {
				if err := e.svc.Cancel(ctx, orders[rng.IntN(len(orders))]); err != nil {
					t.Fatal(err)
				}
			}
		case 4: // time passes, holds expire
			e.clock.Advance(time.Duration(rng.IntN(10)) * time.Minute)
			if _, err := e.svc.ExpireDue(ctx, 100); err != nil {
				t.Fatal(err)
			}
		default: // restock or correct
			p := products[rng.IntN(len(products))]
			delta := int64(rng.IntN(9) - 4)
			if delta == 0 {
				delta = 1
			}
			_, err := e.svc.Restock(ctx, "m1", p.ID, delta)
			switch {
			case err == nil:
				restocked[p.ID] += delta
			case !errors.Is(err, apperr.ErrConflict):
				t.Fatal(err)
			}
		}
		checkInvariant(t, e, products, initial, restocked, orders)
	}
}

func checkInvariant(t *testing.T, e *env, products []domain.Product, initial, restocked map[string]int64, orders []string) {
	t.Helper()
	heldByOrders := map[string]int64{}
	for _, id := range orders {
		r := e.reservation(t, id)
		if r.State == domain.StateReserved {
			for _, l := range r.Lines {
				heldByOrders[l.ProductID] += l.Quantity
			}
		}
	}
	for _, p := range products {
		got := e.product(t, p.ID) // checks the stored invariant and the read model
		if got.Stock.Total() != initial[p.ID]+restocked[p.ID] {
			t.Fatalf("%s: %+v adds up to %d, want %d", p.SKU, got.Stock, got.Stock.Total(), initial[p.ID]+restocked[p.ID])
		}
		if got.Stock.Held != heldByOrders[p.ID] {
			t.Fatalf("%s holds %d, open reservations %d", p.SKU, got.Stock.Held, heldByOrders[p.ID])
		}
	}
}
