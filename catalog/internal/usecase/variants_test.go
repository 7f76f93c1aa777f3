package usecase_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// teeDraft is a T-shirt in S (3 units, the product's price 1500) and M
// (5 units at 1800).
func teeDraft() domain.Draft {
	return domain.Draft{
		SKU: "TEE", Name: "T-shirt", Category: "clothes", Price: domain.Money{Amount: 1500, Currency: "USD"},
		Options: []domain.Option{{Name: "size", Values: []string{"S", "M", "L"}}},
		Variants: []domain.VariantDraft{
			{SKU: "TEE-S", Options: map[string]string{"size": "S"}, Stock: 3},
			{SKU: "TEE-M", Options: map[string]string{"size": "M"}, Stock: 5, Price: &domain.Money{Amount: 1800, Currency: "USD"}},
		},
	}
}

func (e *env) createTee(t *testing.T) (domain.Product, string, string) {
	t.Helper()
	p, err := e.svc.CreateProduct(ctxT(t), "m1", teeDraft())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.VariantIDs) != 2 {
		t.Fatalf("variant ids %v", p.VariantIDs)
	}
	return p, p.VariantIDs[0], p.VariantIDs[1]
}

func (e *env) count(t *testing.T) int {
	t.Helper()
	all, err := e.store.AllProducts(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

func TestCreateWithVariantsWritesVariantsThenTheParentWithEveryEvent(t *testing.T) {
	e := newEnv(t)
	p, s, m := e.createTee(t)
	parent := e.product(t, p.ID)
	if !parent.HasVariants() || parent.Stock != (domain.Stock{}) || !slices.Equal(parent.VariantIDs, []string{s, m}) {
		t.Fatalf("parent %+v", parent)
	}
	small, medium := e.product(t, s), e.product(t, m)
	if small.VariantOf != p.ID || small.Stock.Available != 3 || small.Price.Amount != 1500 || medium.Price.Amount != 1800 || medium.VariantOptions["size"] != "M" {
		t.Fatalf("variants %+v %+v", small, medium)
	}
	if got := e.outboxTypes(t, store.ProductsCollection, p.ID); len(got) != 3 {
		t.Fatalf("the parent's outbox has %v, want product.created of both variants and of itself", got)
	}
	if got := e.outboxTypes(t, store.ProductsCollection, s); len(got) != 0 {
		t.Fatalf("a variant announced itself before its parent existed: %v", got)
	}
	shown, _ := e.model.Shown(p.ID)
	if shown.Stock.Available != 8 || shown.Price.Amount != 1500 || len(shown.Variants) != 2 {
		t.Fatalf("shown parent %+v", shown)
	}
}

func TestBadVariantsStoreNothing(t *testing.T) {
	e := newEnv(t)
	e.create(t, "TAKEN", 1)
	bad := teeDraft()
	bad.Variants[1].Options["size"] = "XXL"
	if _, err := e.svc.CreateProduct(ctxT(t), "m1", bad); !errors.Is(err, apperr.ErrValidation) {
		t.Fatalf("unknown option value: %v", err)
	}
	// The second variant's SKU is taken: the first, already written, is
	// deleted again.
	taken := teeDraft()
	taken.Variants[1].SKU = "TAKEN"
	if _, err := e.svc.CreateProduct(ctxT(t), "m1", taken); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("taken variant sku: %v", err)
	}
	if n := e.count(t); n != 1 {
		t.Fatalf("%d products stored, want only the first one", n)
	}
	// and its SKU is free again.
	if _, _, _ = e.createTee(t); e.count(t) != 4 {
		t.Fatalf("%d products after a good create", e.count(t))
	}
}

func TestMerchantManagesVariants(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p, s, m := e.createTee(t)
	if _, err := e.svc.Restock(ctx, "m1", p.ID, 5); !errors.Is(err, domain.ErrHasVariants) {
		t.Fatalf("restock of the parent: %v", err)
	}
	if got, err := e.svc.Restock(ctx, "m1", s, 4); err != nil || got.Stock.Available != 7 {
		t.Fatalf("restock of a variant: %+v %v", got.Stock, err)
	}
	if _, err := e.svc.Restock(ctx, "m2", s, 4); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("restock of another merchant's variant: %v", err)
	}
	price := domain.Money{Amount: 1200, Currency: "USD"}
	if _, err := e.svc.UpdateVariant(ctx, "m2", p.ID, m, domain.VariantPatch{Price: &price}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("patch of another merchant's variant: %v", err)
	}
	other := e.create(t, "MUG", 1)
	if _, err := e.svc.UpdateVariant(ctx, "m1", other.ID, m, domain.VariantPatch{Price: &price}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("patch of a variant through another product: %v", err)
	}
	if got, err := e.svc.UpdateVariant(ctx, "m1", p.ID, m, domain.VariantPatch{Price: &price}); err != nil || got.Price != price {
		t.Fatalf("patch: %+v %v", got, err)
	}
	if shown, _ := e.model.Shown(p.ID); shown.Price != price {
		t.Fatalf("the parent shows %v after its variant's price change", shown.Price)
	}
	added, err := e.svc.AddVariant(ctx, "m1", p.ID, domain.VariantDraft{SKU: "TEE-L", Options: map[string]string{"size": "L"}, Stock: 2})
	if err != nil || added.ID != domain.VariantID(p.ID, 3) || added.VariantOf != p.ID {
		t.Fatalf("add: %+v %v", added, err)
	}
	if _, err := e.svc.AddVariant(ctx, "m1", p.ID, domain.VariantDraft{SKU: "TEE-L2", Options: map[string]string{"size": "L"}}); !errors.Is(err, apperr.ErrValidation) {
		t.Fatalf("a second L: %v", err)
	}
	if _, err := e.svc.AddVariant(ctx, "m2", p.ID, domain.VariantDraft{SKU: "X", Options: map[string]string{"size": "L"}}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("add to another merchant's product: %v", err)
	}
	if got := e.product(t, p.ID); len(got.VariantIDs) != 3 {
		t.Fatalf("parent lists %v", got.VariantIDs)
	}
	if err := e.svc.ArchiveProduct(ctx, "m1", p.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{p.ID, s, m, added.ID} {
		if got := e.product(t, id); !got.Archived {
			t.Fatalf("%s not archived", id)
		}
	}
}

// TestTwoVariantsOfOneProductThroughTheSaga reserves two variants of one
// product in one order, commits and refunds it, on the real store: each
// variant's counters move by its own line and its invariant holds at
// every step; an order of the parent is rejected as out of stock.
func TestTwoVariantsOfOneProductThroughTheSaga(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p, s, m := e.createTee(t)
	lines := []domain.Line{{ProductID: s, Quantity: 2}, {ProductID: m, Quantity: 1}}
	check := func(step string, small, medium domain.Stock) {
		t.Helper()
		if got := e.product(t, s).Stock; got != small {
			t.Fatalf("%s: S %+v, want %+v", step, got, small)
		}
		if got := e.product(t, m).Stock; got != medium {
			t.Fatalf("%s: M %+v, want %+v", step, got, medium)
		}
		if got := e.product(t, p.ID).Stock; got != (domain.Stock{}) {
			t.Fatalf("%s: the parent has stock %+v", step, got)
		}
	}
	if err := e.svc.Reserve(ctx, "o1", lines); err != nil {
		t.Fatal(err)
	}
	if r := e.reservation(t, "o1"); r.State != domain.StateReserved {
		t.Fatalf("state %s, rejected %+v", r.State, r.Rejected)
	}
	check("reserved", domain.Stock{Available: 1, Held: 2}, domain.Stock{Available: 4, Held: 1})
	if shown, _ := e.model.Shown(p.ID); shown.Stock.Available != 5 {
		t.Fatalf("the parent shows %d available, want 1+4", shown.Stock.Available)
	}
	if err := e.svc.Commit(ctx, "o1"); err != nil {
		t.Fatal(err)
	}
	check("committed", domain.Stock{Available: 1, Sold: 2}, domain.Stock{Available: 4, Sold: 1})
	if err := e.svc.Cancel(ctx, "o1"); err != nil { // refunded
		t.Fatal(err)
	}
	if r := e.reservation(t, "o1"); r.State != domain.StateReturned {
		t.Fatalf("after the refund: %s", r.State)
	}
	check("returned", domain.Stock{Available: 3}, domain.Stock{Available: 5})

	if err := e.svc.Reserve(ctx, "o2", []domain.Line{{ProductID: p.ID, Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	var rejected events.StockRejected
	if typ := e.outboxEvent(t, "o2", &rejected); typ != events.TypeStockRejected || len(rejected.Lines) != 1 || rejected.Lines[0].Available != 0 {
		t.Fatalf("an order of the parent: %s %+v", typ, rejected)
	}
	check("parent rejected", domain.Stock{Available: 3}, domain.Stock{Available: 5})
}

func TestAShippedVariantEntitlesAReviewOfItsProduct(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	p, _, m := e.createTee(t)
	if _, err := e.svc.PostReview(ctx, "shopper-1", p.ID, domain.ReviewInput{Rating: 5, Text: "Fits"}); !errors.Is(err, domain.ErrNotEligible) {
		t.Fatalf("before the purchase: %v", err)
	}
	if err := e.svc.RecordShipment(ctx, "shopper-1", "o1", []string{m}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.PostReview(ctx, "shopper-1", p.ID, domain.ReviewInput{Rating: 4, Text: "Fits"})
	if err != nil || r.ProductID != p.ID {
		t.Fatalf("review of the parent: %+v %v", r, err)
	}
	if _, err := e.svc.PostReview(ctx, "shopper-1", m, domain.ReviewInput{Rating: 1, Text: "again"}); !errors.Is(err, domain.ErrAlreadyReviewed) {
		t.Fatalf("a second review through the variant: %v", err)
	}
	if got := e.product(t, p.ID); got.Rating.Count != 1 || got.Rating.Sum != 4 {
		t.Fatalf("rating %+v", got.Rating)
	}
	if v, _ := e.model.Shown(m); v.Rating.Count != 1 {
		t.Fatalf("the variant shows its product's rating %+v", v.Rating)
	}
}

// TestAVariantWithoutItsProductIsNeverSold: a variant left behind by a
// creation that crashed before its product was written cannot be
// reserved; its units stay available and its invariant holds.
func TestAVariantWithoutItsProductIsNeverSold(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	_, variants := domain.NewProductWithVariants("ghost", "m1", teeDraft(), e.clock.Now())
	if err := e.store.InsertProduct(ctx, variants[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Reserve(ctx, "o1", []domain.Line{{ProductID: variants[0].ID, Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	if r := e.reservation(t, "o1"); r.State != domain.StateRejected {
		t.Fatalf("an orphan variant was reserved: %s", r.State)
	}
	got, _, err := e.store.Product(ctx, variants[0].ID, "")
	if err != nil || got.Stock != (domain.Stock{Available: 3}) || !got.InvariantHolds() {
		t.Fatalf("orphan variant after the order: %+v %v", got.Stock, err)
	}
}

// TestReservingAVariantCostsWhatAProductCosts: an order of a variant
// sends the same commands as an order of a product without options, each
// by a lone _id (the parent's existence is known to the read model).
func TestReservingAVariantCostsWhatAProductCosts(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	mug := e.create(t, "MUG", 5)
	_, small, _ := e.createTee(t)
	simple := embeddedtest.AssertHotPathIndexed(t, e.db, func() {
		if err := e.svc.Reserve(ctx, "o1", []domain.Line{{ProductID: mug.ID, Quantity: 1}}); err != nil {
			t.Fatal(err)
		}
	})
	variant := embeddedtest.AssertHotPathIndexed(t, e.db, func() {
		if err := e.svc.Reserve(ctx, "o2", []domain.Line{{ProductID: small, Quantity: 1}}); err != nil {
			t.Fatal(err)
		}
	})
	if len(variant) != len(simple) {
		t.Fatalf("a variant's reservation sent %d commands, a product's %d", len(variant), len(simple))
	}
}
