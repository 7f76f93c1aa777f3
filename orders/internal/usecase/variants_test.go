package usecase_test

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/orders/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// The cart refuses a product that has variants and sells its variants:
// the variant's id stays the line's product id (the stock item catalog
// reserves and gives back), and the order and the events it produces say
// which product and options each line is.
func TestVariantsGoThroughTheCartTheOrderAndItsEvents(t *testing.T) {
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	orders, carts, err := store.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	eur := func(n int64) domain.Money { return domain.Money{Amount: n, Currency: "EUR"} }
	small := domain.Variant{Of: "tee", Options: map[string]string{"size": "S"}}
	svc := usecase.New(orders, carts, catalog{
		"tee":    {ID: "tee", MerchantID: "m1", Name: "T-shirt", Price: eur(1500), HasVariants: true},
		"tee-v1": {ID: "tee-v1", MerchantID: "m1", Name: "T-shirt", Price: eur(1500), Available: 5, WeightGrams: 200, Variant: small},
	}, usecase.Options{})
	ctx := context.Background()

	err = svc.SetCartItem(ctx, "s1", "tee", 1)
	if code, _ := domain.ProblemCode(err); code != domain.CodeVariantRequired || !errors.Is(err, apperr.ErrValidation) {
		t.Fatalf("putting the parent: %v (code %q), want a variant_required validation problem", err, code)
	}
	if cart, err := carts.Get(ctx, "s1"); err != nil || len(cart.Items) != 0 || cart.Version != 0 {
		t.Fatalf("the refused put changed the cart: %+v %v", cart, err)
	}

	if err := svc.SetCartItem(ctx, "s1", "tee-v1", 2); err != nil {
		t.Fatal(err)
	}
	cart, err := carts.Get(ctx, "s1")
	if err != nil || len(cart.Items) != 1 || cart.Items[0].Variant.Of != "tee" || cart.Items[0].WeightGrams != 200 {
		t.Fatalf("cart %+v %v", cart, err)
	}
	o, err := svc.Checkout(ctx, usecase.Shopper{ID: "s1"}, "k1", domain.CheckoutRequest{PaymentMethod: "pm_card_visa", ShippingAddress: address})
	if err != nil {
		t.Fatal(err)
	}
	if l := o.Lines[0]; len(o.Lines) != 1 || l.ProductID != "tee-v1" || l.Name != "T-shirt" || l.Variant.Of != "tee" ||
		!maps.Equal(l.Variant.Options, small.Options) || o.Total != eur(3000) {
		t.Fatalf("order %+v", o)
	}
	if _, err := svc.Cancel(ctx, "s1", o.ID); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, env := range outboxOf(t, db, o.ID) {
		var data struct {
			Lines []events.OrderLine `json:"lines"`
		}
		if err := env.Decode(&data); err != nil {
			t.Fatal(err)
		}
		if env.Type != events.TypeOrderPlaced && env.Type != events.TypeOrderCancelled {
			continue
		}
		if l := data.Lines; len(l) != 1 || l[0].ProductID != "tee-v1" || l[0].VariantOf != "tee" || l[0].VariantOptions["size"] != "S" {
			t.Fatalf("%s lines %+v", env.Type, data.Lines)
		}
		seen[env.Type] = true
	}
	if !seen[events.TypeOrderPlaced] || !seen[events.TypeOrderCancelled] {
		t.Fatalf("events seen %v", seen)
	}
}
