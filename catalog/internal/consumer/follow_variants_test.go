package consumer_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestReplicaSeesAnotherReplicasVariants creates a product with variants
// on replica A and checks replica B's read model: the parent with both
// variants (found by a variant's SKU), then a reservation of one variant,
// a new variant and a variant's price change, each within 2 s.
func TestReplicaSeesAnotherReplicasVariants(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dbName := embeddedtest.UniqueName("follow-variants")
	a, b := newReplica(t, dbName), newReplica(t, dbName)
	a.start(t, true)
	b.start(t, true)
	written := time.Now()
	tee, err := a.svc.CreateProduct(ctx, "m1", domain.Draft{
		SKU: "TEE", Name: "Linen tee", Category: "clothes", Price: domain.Money{Amount: 1500, Currency: "USD"},
		Options: []domain.Option{{Name: "size", Values: []string{"S", "M", "L"}}},
		Variants: []domain.VariantDraft{
			{SKU: "TEE-S", Options: map[string]string{"size": "S"}, Stock: 3},
			{SKU: "TEE-M", Options: map[string]string{"size": "M"}, Stock: 4},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	within(t, written, 2*time.Second, "the parent with its variants on B", func() bool {
		p, ok := b.model.Shown(tee.ID)
		ids := searchIDs(b.model, "tee-m")
		return ok && len(p.Variants) == 2 && p.Stock.Available == 7 && len(ids) == 1 && ids[0] == tee.ID
	})

	written = time.Now()
	if err := a.svc.Reserve(ctx, "order-variant-1", []domain.Line{{ProductID: tee.VariantIDs[1], Quantity: 3}}); err != nil {
		t.Fatal(err)
	}
	within(t, written, 2*time.Second, "a variant's reservation on B", func() bool {
		p, _ := b.model.Shown(tee.ID)
		v, _ := b.model.Get(tee.VariantIDs[1])
		return p.Stock.Available == 4 && v.Stock.Held == 3
	})

	written = time.Now()
	large, err := a.svc.AddVariant(ctx, "m1", tee.ID, domain.VariantDraft{SKU: "TEE-L", Options: map[string]string{"size": "L"}, Stock: 1})
	if err != nil {
		t.Fatal(err)
	}
	price := domain.Money{Amount: 900, Currency: "USD"}
	if _, err := a.svc.UpdateVariant(ctx, "m1", tee.ID, large.ID, domain.VariantPatch{Price: &price}); err != nil {
		t.Fatal(err)
	}
	within(t, written, 2*time.Second, "a new variant and its price on B", func() bool {
		p, _ := b.model.Shown(tee.ID)
		_, visible := b.model.PublicJSON(large.ID)
		return len(p.Variants) == 3 && p.Price == price && visible
	})
}
