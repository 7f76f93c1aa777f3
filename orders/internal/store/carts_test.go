package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
)

func TestCartItemsAndConditionalClear(t *testing.T) {
	_, carts, _ := open(t)
	ctx := context.Background()
	empty, err := carts.Get(ctx, "s1")
	if err != nil || len(empty.Items) != 0 || empty.Version != 0 {
		t.Fatalf("new cart: %+v %v", empty, err)
	}
	mug := domain.CartItem{ProductID: "p-mug", MerchantID: "m1", Name: "Mug",
		UnitPrice: domain.Money{Amount: 1200, Currency: "EUR"}, Quantity: 2, AddedAt: base}
	tea := domain.CartItem{ProductID: "p-tea", MerchantID: "m2", Name: "Tea",
		UnitPrice: domain.Money{Amount: 500, Currency: "EUR"}, Quantity: 1, AddedAt: base.Add(time.Second)}
	for _, it := range []domain.CartItem{tea, mug} {
		if err := carts.PutItem(ctx, "s1", it, base); err != nil {
			t.Fatal(err)
		}
	}
	mug.Quantity = 3
	if err := carts.PutItem(ctx, "s1", mug, base); err != nil {
		t.Fatal(err)
	}
	cart, err := carts.Get(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(cart.Items) != 2 || !reflect.DeepEqual(cart.Items[0], mug) || !reflect.DeepEqual(cart.Items[1], tea) || cart.Version != 3 {
		t.Fatalf("cart %+v", cart)
	}
	if err := carts.RemoveItem(ctx, "s1", "p-tea", base); err != nil {
		t.Fatal(err)
	}
	// A clear conditional on an old version leaves the cart alone.
	if ok, err := carts.ClearIfUnchanged(ctx, "s1", cart.Version, base); err != nil || ok {
		t.Fatalf("stale clear: %v %v", ok, err)
	}
	cart, _ = carts.Get(ctx, "s1")
	if len(cart.Items) != 1 || cart.Items[0].ProductID != "p-mug" {
		t.Fatalf("after remove: %+v", cart)
	}
	if ok, err := carts.ClearIfUnchanged(ctx, "s1", cart.Version, base); err != nil || !ok {
		t.Fatalf("clear: %v %v", ok, err)
	}
	cart, _ = carts.Get(ctx, "s1")
	if len(cart.Items) != 0 || cart.Version != 5 {
		t.Fatalf("after clear: %+v", cart)
	}
	// The emptied cart takes new items again.
	if err := carts.PutItem(ctx, "s1", tea, base); err != nil {
		t.Fatal(err)
	}
	if err := carts.Clear(ctx, "s1", base); err != nil {
		t.Fatal(err)
	}
	if cart, _ = carts.Get(ctx, "s1"); len(cart.Items) != 0 {
		t.Fatalf("after Clear: %+v", cart)
	}
}

func TestCartCodesAreSetOnlyOnTheVersionReadAndGoWithACheckout(t *testing.T) {
	_, carts, _ := open(t)
	ctx := context.Background()
	item := domain.CartItem{ProductID: "p-mug", MerchantID: "m1", Name: "Mug",
		UnitPrice: domain.Money{Amount: 1200, Currency: "EUR"}, Quantity: 1, WeightGrams: 350, AddedAt: base}
	if err := carts.PutItem(ctx, "s1", item, base); err != nil {
		t.Fatal(err)
	}
	cart, _ := carts.Get(ctx, "s1")
	if cart.Items[0].WeightGrams != 350 {
		t.Fatalf("weight %d", cart.Items[0].WeightGrams)
	}
	codes := []domain.AppliedCode{{MerchantID: "m1", Code: "TEN"}}
	if ok, err := carts.SetCodes(ctx, "s1", cart.Version-1, codes, base); err != nil || ok {
		t.Fatalf("stale version: %v %v", ok, err)
	}
	if ok, err := carts.SetCodes(ctx, "s1", cart.Version, codes, base); err != nil || !ok {
		t.Fatalf("set: %v %v", ok, err)
	}
	cart, _ = carts.Get(ctx, "s1")
	if len(cart.Codes) != 1 || cart.Codes[0] != codes[0] {
		t.Fatalf("codes %+v", cart.Codes)
	}
	if ok, err := carts.ClearIfUnchanged(ctx, "s1", cart.Version, base); err != nil || !ok {
		t.Fatalf("clear: %v %v", ok, err)
	}
	if cart, _ = carts.Get(ctx, "s1"); len(cart.Codes) != 0 {
		t.Fatalf("codes after checkout %+v", cart.Codes)
	}
}
