package usecase_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// Adds of different variants to one product race: every add that succeeds
// is listed by the product and reads back as itself (its SKU and options),
// every listed variant exists, and an add that loses is a conflict to try
// again, never a variant that another add's write replaced.
func TestConcurrentAddsOfVariantsKeepEachVariant(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p, err := e.svc.CreateProduct(ctx, "m1", domain.Draft{
		SKU: "CAP", Name: "Cap", Category: "clothes", Price: domain.Money{Amount: 900, Currency: "USD"},
		Options:  []domain.Option{{Name: "colour", Values: []string{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"}}},
		Variants: []domain.VariantDraft{{SKU: "CAP-c0", Options: map[string]string{"colour": "c0"}, Stock: 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	const adds = 8
	added := make([]domain.Product, adds)
	errs := make([]error, adds)
	var wg sync.WaitGroup
	for i := range adds {
		wg.Go(func() {
			colour := fmt.Sprintf("c%d", i+1)
			added[i], errs[i] = e.svc.AddVariant(ctx, "m1", p.ID, domain.VariantDraft{SKU: "CAP-" + colour, Options: map[string]string{"colour": colour}, Stock: int64(i + 2)})
		})
	}
	wg.Wait()
	parent := e.product(t, p.ID)
	listed := map[string]bool{}
	for _, id := range parent.VariantIDs {
		v := e.product(t, id) // fails the test when a listed variant is gone
		listed[id] = true
		if v.VariantOf != p.ID || v.SKU != "CAP-"+v.VariantOptions["colour"] {
			t.Errorf("listed variant %s is %+v", id, v)
		}
	}
	won := 0
	for i, err := range errs {
		if err != nil {
			if !errors.Is(err, apperr.ErrConflict) {
				t.Errorf("add %d: %v, want success or a conflict", i, err)
			}
			continue
		}
		won++
		v := e.product(t, added[i].ID)
		if !listed[v.ID] || v.SKU != added[i].SKU || v.Stock.Available != int64(i+2) {
			t.Errorf("add %d returned %s (%s) but the store has %+v (listed %v)", i, added[i].ID, added[i].SKU, v, listed[v.ID])
		}
	}
	if won == 0 || len(parent.VariantIDs) != won+1 {
		t.Errorf("%d adds won, the product lists %d variants", won, len(parent.VariantIDs))
	}
}

// A variant its product does not list, left by an add that crashed before
// listing it, keeps its id from a new add while it is young (it may be an
// add in flight: a conflict to try again) and gives it up once it is older
// than a minute.
func TestALeftoverVariantGivesItsIDUpOnceItIsOld(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p, _, _ := e.createTee(t)
	parent := e.product(t, p.ID)
	leftover := domain.NewVariant(parent, domain.NextVariantNumber(parent),
		domain.VariantDraft{SKU: "TEE-L-LEFT", Options: map[string]string{"size": "L"}, Stock: 9}, e.clock.Now())
	if err := e.store.InsertProduct(ctx, leftover); err != nil {
		t.Fatal(err)
	}
	add := domain.VariantDraft{SKU: "TEE-L", Options: map[string]string{"size": "L"}, Stock: 2}

	if _, err := e.svc.AddVariant(ctx, "m1", p.ID, add); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("an add over a young leftover: %v, want a conflict", err)
	}
	if got, _, err := e.store.Product(ctx, leftover.ID, ""); err != nil || got.SKU != "TEE-L-LEFT" {
		t.Fatalf("the young leftover is %+v (%v), want it kept", got, err)
	}

	e.clock.Advance(2 * time.Minute)
	v, err := e.svc.AddVariant(ctx, "m1", p.ID, add)
	if err != nil || v.ID != leftover.ID {
		t.Fatalf("an add over an old leftover: %+v, %v", v, err)
	}
	if got := e.product(t, v.ID); got.SKU != "TEE-L" || got.Stock.Available != 2 {
		t.Fatalf("the id now holds %+v, want the new variant", got)
	}
}

// lostAnswer is the real store whose next write of product id (or, with
// parents set, of the next product listing variants) is applied and then
// answered with an error, as when the connection is cut between the
// store's apply and its reply.
type lostAnswer struct {
	*store.Store
	id      string
	parents bool
}

var errConnectionCut = errors.New("socket was unexpectedly closed: EOF")

func (l *lostAnswer) InsertProduct(ctx context.Context, p domain.Product, entries ...outbox.Entry) error {
	if err := l.Store.InsertProduct(ctx, p, entries...); err != nil || !l.cut(p) {
		return err
	}
	return errConnectionCut
}

func (l *lostAnswer) SaveProduct(ctx context.Context, prev int64, p domain.Product, entries ...outbox.Entry) error {
	if err := l.Store.SaveProduct(ctx, prev, p, entries...); err != nil || !l.cut(p) {
		return err
	}
	return errConnectionCut
}

func (l *lostAnswer) cut(p domain.Product) bool {
	if (l.id != "" && p.ID == l.id) || (l.parents && p.HasVariants()) {
		l.id, l.parents = "", false
		return true
	}
	return false
}

// A product's write that was applied and answered with an error leaves
// its variants alone: they are its stock, and the product lists them.
func TestAProductWriteWhoseAnswerWasLostKeepsItsVariants(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	lost := &lostAnswer{Store: e.store}
	svc := usecase.New(usecase.Options{Store: lost, Model: e.model, HoldTTL: holdTTL, Now: e.clock.Now})

	// Adding a variant: the product lists it, the add succeeds.
	p, _, _ := e.createTee(t)
	lost.id = p.ID
	v, err := svc.AddVariant(ctx, "m1", p.ID, domain.VariantDraft{SKU: "TEE-L", Options: map[string]string{"size": "L"}, Stock: 4})
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	if got := e.product(t, v.ID); got.SKU != "TEE-L" || got.Stock.Available != 4 || !slices.Contains(e.product(t, p.ID).VariantIDs, v.ID) {
		t.Fatalf("variant %+v, listed by %v", got, e.product(t, p.ID).VariantIDs)
	}

	// Creating a product with variants: it exists, with them.
	draft := teeDraft()
	draft.SKU, draft.Variants[0].SKU, draft.Variants[1].SKU = "TEE2", "TEE2-S", "TEE2-M"
	lost.parents = true
	created, err := svc.CreateProduct(ctx, "m1", draft)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	for _, id := range created.VariantIDs {
		if got := e.product(t, id); got.VariantOf != created.ID {
			t.Fatalf("variant %s is %+v", id, got)
		}
	}
}

// A variant its existing product does not list (an add that crashed before
// listing it) is neither shown nor sold, though its id can be guessed.
func TestAVariantItsProductDoesNotListIsNeitherShownNorSold(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p, _, _ := e.createTee(t)
	parent := e.product(t, p.ID)
	leftover := domain.NewVariant(parent, domain.NextVariantNumber(parent),
		domain.VariantDraft{SKU: "TEE-L-LEFT", Options: map[string]string{"size": "L"}, Stock: 9}, e.clock.Now())
	if err := e.store.InsertProduct(ctx, leftover); err != nil {
		t.Fatal(err)
	}
	e.model.Apply(leftover)
	if _, shown := e.model.PublicJSON(leftover.ID); shown {
		t.Errorf("a variant its product does not list is shown")
	}
	if err := e.svc.Reserve(ctx, "o-left", []domain.Line{{ProductID: leftover.ID, Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	if r := e.reservation(t, "o-left"); r.State != domain.StateRejected {
		t.Fatalf("a variant its product does not list was reserved: %s", r.State)
	}
	if got, _, err := e.store.Product(ctx, leftover.ID, ""); err != nil || got.Stock != (domain.Stock{Available: 9}) {
		t.Fatalf("the leftover after the order: %+v %v", got.Stock, err)
	}
}
