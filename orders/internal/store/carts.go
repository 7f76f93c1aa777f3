package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

// Carts stores one cart per shopper (_id = shopper id), its items in a map
// keyed by product id so that each change is one dotted $set or $unset.
type Carts struct {
	read   *mongo.Collection
	write  *mongo.Collection
	writer *mongodb.Writer
}

// cartItemDoc is a cart item as stored.
type cartItemDoc struct {
	MerchantID string     `bson:"merchant_id"`
	Name       string     `bson:"name"`
	UnitPrice  moneyDoc   `bson:"unit_price"`
	Quantity   int64      `bson:"quantity"`
	Weight     int64      `bson:"weight_grams,omitempty"`
	Variant    variantDoc `bson:",inline"`
	AddedAt    time.Time  `bson:"added_at"`
}

// appliedCodeDoc is a discount code applied to a cart.
type appliedCodeDoc struct {
	MerchantID string `bson:"merchant_id"`
	Code       string `bson:"code"`
}

type cartDoc struct {
	ID        string                 `bson:"_id"`
	Items     map[string]cartItemDoc `bson:"items"`
	Codes     []appliedCodeDoc       `bson:"discount_codes,omitempty"`
	Version   int64                  `bson:"version"`
	UpdatedAt time.Time              `bson:"updated_at"`
}

// Get reads a shopper's cart; a shopper without one has an empty cart.
func (s *Carts) Get(ctx context.Context, shopperID string) (domain.Cart, error) {
	var doc cartDoc
	err := s.read.FindOne(ctx, bson.M{"_id": shopperID}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.Cart{ShopperID: shopperID}, nil
	}
	if err != nil {
		return domain.Cart{}, mongodb.Translate(err, "find cart of "+shopperID)
	}
	cart := domain.Cart{ShopperID: shopperID, Version: doc.Version}
	for id, it := range doc.Items {
		cart.Items = append(cart.Items, domain.CartItem{ProductID: id, MerchantID: it.MerchantID, Name: it.Name,
			UnitPrice: it.UnitPrice.domain(), Quantity: it.Quantity, WeightGrams: it.Weight, Variant: it.Variant.domain(),
			AddedAt: it.AddedAt.UTC()})
	}
	for _, c := range doc.Codes {
		cart.Codes = append(cart.Codes, domain.AppliedCode{MerchantID: c.MerchantID, Code: c.Code})
	}
	slices.SortFunc(cart.Items, func(a, b domain.CartItem) int {
		if c := a.AddedAt.Compare(b.AddedAt); c != 0 {
			return c
		}
		return compareStrings(a.ProductID, b.ProductID)
	})
	return cart, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PutItem sets one item of a shopper's cart, creating the cart if needed.
// The item's product id must satisfy domain.ValidateProductID.
func (s *Carts) PutItem(ctx context.Context, shopperID string, item domain.CartItem, now time.Time) error {
	doc := cartItemDoc{MerchantID: item.MerchantID, Name: item.Name, UnitPrice: toMoneyDoc(item.UnitPrice),
		Quantity: item.Quantity, Weight: item.WeightGrams, Variant: toVariantDoc(item.Variant), AddedAt: item.AddedAt}
	update := bson.M{
		"$set": bson.M{"items." + item.ProductID: doc, "updated_at": now},
		"$inc": bson.M{"version": 1},
	}
	_, err := s.writer.UpdateOne(ctx, s.write, shopperID, nil, update, true)
	return mongodb.Translate(err, "put cart item")
}

// RemoveItem removes one product from a shopper's cart.
func (s *Carts) RemoveItem(ctx context.Context, shopperID, productID string, now time.Time) error {
	update := bson.M{
		"$unset": bson.M{"items." + productID: ""},
		"$set":   bson.M{"updated_at": now},
		"$inc":   bson.M{"version": 1},
	}
	_, err := s.writer.UpdateOne(ctx, s.write, shopperID, nil, update, false)
	return mongodb.Translate(err, "remove cart item")
}

// Clear empties a shopper's cart.
func (s *Carts) Clear(ctx context.Context, shopperID string, now time.Time) error {
	_, err := s.writer.UpdateOne(ctx, s.write, shopperID, nil, clearUpdate(now), false)
	return mongodb.Translate(err, "clear cart")
}

// ClearIfUnchanged empties a shopper's cart only if it is still at version,
// so items added after a checkout read the cart stay; it reports whether
// the cart was emptied.
func (s *Carts) ClearIfUnchanged(ctx context.Context, shopperID string, version int64, now time.Time) (bool, error) {
	cleared, err := s.writer.UpdateOne(ctx, s.write, shopperID, bson.M{"version": version}, clearUpdate(now), false)
	if err != nil {
		return false, mongodb.Translate(err, "clear cart")
	}
	return cleared, nil
}

// SetCodes replaces the discount codes of a shopper's cart, only while the
// cart is still at version (so a concurrent change is not undone); it
// reports whether it wrote.
func (s *Carts) SetCodes(ctx context.Context, shopperID string, version int64, codes []domain.AppliedCode, now time.Time) (bool, error) {
	docs := []appliedCodeDoc{}
	for _, c := range codes {
		docs = append(docs, appliedCodeDoc{MerchantID: c.MerchantID, Code: c.Code})
	}
	update := bson.M{"$set": bson.M{"discount_codes": docs, "updated_at": now}, "$inc": bson.M{"version": 1}}
	ok, err := s.writer.UpdateOne(ctx, s.write, shopperID, bson.M{"version": version}, update, false)
	if err != nil {
		return false, mongodb.Translate(err, "set cart discount codes")
	}
	return ok, nil
}

func clearUpdate(now time.Time) bson.M {
	// The cart is emptied, not deleted, so its version keeps growing and a
	// conditional clear cannot match a cart rebuilt since.
	// A checked-out cart's codes were used by its order.
	return bson.M{"$set": bson.M{"items": bson.M{}, "discount_codes": bson.A{}, "updated_at": now}, "$inc": bson.M{"version": 1}}
}
