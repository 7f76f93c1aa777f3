package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func variantFamily(now time.Time) (domain.Product, []domain.Product) {
	return domain.NewProductWithVariants("p1", "m1", domain.Draft{
		SKU: "TEE", Name: "T-shirt", Category: "clothes", Price: domain.Money{Amount: 1500, Currency: "USD"},
		Options: []domain.Option{{Name: "size", Values: []string{"S", "M"}}, {Name: "colour.$x", Values: []string{"red"}}},
		Variants: []domain.VariantDraft{
			{SKU: "TEE-S", Options: map[string]string{"size": "S", "colour.$x": "red"}, Stock: 4},
			{SKU: "TEE-M", Options: map[string]string{"size": "M", "colour.$x": "red"}, Stock: 1, Price: &domain.Money{Amount: 1700, Currency: "USD"}},
		},
	}, now)
}

// TestVariantsAreDocumentsReadAndHeldByID stores a parent and its
// variants, reads them back with their options (an option name with '.'
// and '$' is data, not a field path), and checks that holding a variant,
// refusing the parent (no stock of its own) and saving the parent's
// variant list are lone-_id commands.
func TestVariantsAreDocumentsReadAndHeldByID(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := embeddedtest.Database(t, config.Mongo{})
	st := store.New(db, nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	parent, variants := variantFamily(now)
	for _, v := range variants {
		if err := st.InsertProduct(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.InsertProduct(ctx, parent); err != nil {
		t.Fatal(err)
	}
	embeddedtest.AssertHotPathIndexed(t, db, func() {
		got, _, err := st.Product(ctx, "p1", "")
		if err != nil || len(got.Options) != 2 || got.Options[1].Name != "colour.$x" || len(got.VariantIDs) != 2 || got.VariantIDs[1] != "p1-v2" || got.IsVariant() {
			t.Fatalf("parent read back: %+v %v", got, err)
		}
		v, _, err := st.Product(ctx, "p1-v2", "")
		if err != nil || v.VariantOf != "p1" || v.VariantOptions["colour.$x"] != "red" || v.VariantOptions["size"] != "M" || v.Price.Amount != 1700 || v.Stock.Available != 1 {
			t.Fatalf("variant read back: %+v %v", v, err)
		}
		if _, ok, err := st.Hold(ctx, "p1", "o1", 1, now.Add(time.Minute), now); err != nil || ok {
			t.Fatalf("the parent was held: %v %v", ok, err)
		}
		held, ok, err := st.Hold(ctx, "p1-v1", "o1", 3, now.Add(time.Minute), now)
		if err != nil || !ok || held.Stock != (domain.Stock{Available: 1, Held: 3}) || !held.InvariantHolds() {
			t.Fatalf("variant hold: %+v %v %v", held.Stock, ok, err)
		}
		owned, err := st.OwnedProduct(ctx, "m1", "p1")
		if err != nil {
			t.Fatal(err)
		}
		prev := owned.Version
		owned.VariantIDs = append(owned.VariantIDs, "p1-v3")
		owned.Version++
		if err := st.SaveProduct(ctx, prev, owned); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := st.OwnedProduct(ctx, "m2", "p1-v1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("another merchant's variant: %v", err)
	}
	if got, _, _ := st.Product(ctx, "p1", ""); len(got.VariantIDs) != 3 || len(got.Options) != 2 {
		t.Fatalf("saved parent: %+v", got)
	}
	// SKUs stay unique per merchant across products and variants.
	dup := newProduct("p9", "TEE-M", 1)
	if err := st.InsertProduct(ctx, dup); !errors.Is(err, store.ErrDuplicateSKU) {
		t.Fatalf("a product with a variant's sku: %v", err)
	}
}
