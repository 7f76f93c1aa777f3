package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

var medium = domain.Variant{Of: "tee", Options: map[string]string{"size": "M", "colour": "red"}}

// A variant's order line keeps which product and options it is; its
// options are stored as pairs ordered by name (no option name becomes a
// field name), and a line of a product without variants stores neither
// field, the shape of lines written before variants.
func TestOrderLinesKeepTheirVariant(t *testing.T) {
	ctx := context.Background()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 8})
	orders, _, err := store.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := sampleOrder("o1", "s1", base)
	o.Lines[0].ProductID, o.Lines[0].Name, o.Lines[0].Variant = "tee-v2", "T-shirt", medium
	if err := orders.Insert(ctx, o, nil); err != nil {
		t.Fatal(err)
	}
	got, err := orders.Get(ctx, "o1")
	if err != nil || !reflect.DeepEqual(got, o) {
		t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, got, o)
	}
	var raw struct {
		Lines []bson.M `bson:"lines"`
	}
	if err := db.Read.Collection(store.OrdersCollection).FindOne(ctx, bson.M{"_id": "o1"}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	options, _ := raw.Lines[0]["variant_options"].(bson.A)
	if raw.Lines[0]["variant_of"] != "tee" || len(options) != 2 ||
		options[0].(bson.M)["name"] != "colour" || options[1].(bson.M)["value"] != "M" {
		t.Fatalf("stored variant line %v", raw.Lines[0])
	}
	if _, ok := raw.Lines[1]["variant_of"]; ok {
		t.Fatalf("a plain line stores a variant: %v", raw.Lines[1])
	}
	if _, ok := raw.Lines[1]["variant_options"]; ok {
		t.Fatalf("a plain line stores variant options: %v", raw.Lines[1])
	}
}

func TestCartItemsKeepTheirVariant(t *testing.T) {
	_, carts, _ := open(t)
	ctx := context.Background()
	tee := domain.CartItem{ProductID: "tee-v2", MerchantID: "m1", Name: "T-shirt",
		UnitPrice: domain.Money{Amount: 1800, Currency: "EUR"}, Quantity: 1, WeightGrams: 250, Variant: medium, AddedAt: base}
	mug := domain.CartItem{ProductID: "mug", MerchantID: "m1", Name: "Mug",
		UnitPrice: domain.Money{Amount: 1200, Currency: "EUR"}, Quantity: 2, AddedAt: base.Add(time.Second)}
	for _, it := range []domain.CartItem{tee, mug} {
		if err := carts.PutItem(ctx, "s1", it, base); err != nil {
			t.Fatal(err)
		}
	}
	cart, err := carts.Get(ctx, "s1")
	if err != nil || len(cart.Items) != 2 || !reflect.DeepEqual(cart.Items[0], tee) || !reflect.DeepEqual(cart.Items[1], mug) {
		t.Fatalf("cart %+v %v", cart, err)
	}
}
