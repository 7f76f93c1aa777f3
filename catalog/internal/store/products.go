package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// ErrStale means the product changed between reading and writing it; the
// caller reads it again and retries.
var ErrStale = fmt.Errorf("%w: product changed concurrently", apperr.ErrConflict)

// ErrDuplicateSKU means the merchant already has a product with the SKU.
var ErrDuplicateSKU = fmt.Errorf("%w: this merchant already has a product with this sku", apperr.ErrConflict)

// InsertProduct stores a new product with its events in its outbox.
func (s *Store) InsertProduct(ctx context.Context, p domain.Product, entries ...outbox.Entry) error {
	doc := toProductDoc(p)
	doc.Outbox = entries
	if err := outbox.Insert(ctx, s.writer, s.relay, s.products, p.ID, doc, entries); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return ErrDuplicateSKU
		}
		return wrap(err, "insert product %s", p.ID)
	}
	return nil
}

// OwnedProduct reads merchantID's product id; another merchant's product is
// apperr.ErrNotFound, exactly like a missing one.
func (s *Store) OwnedProduct(ctx context.Context, merchantID, id string) (domain.Product, error) {
	var doc productDoc
	// By _id alone, the one filter every backend serves from an index;
	// the owner is checked here.
	if err := s.readProducts.FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
		return domain.Product{}, wrap(err, "product %s", id)
	}
	if doc.MerchantID != merchantID {
		return domain.Product{}, fmt.Errorf("product %s: %w", id, apperr.ErrNotFound)
	}
	return doc.product(), nil
}

// Product reads a product by id, with the units orderID holds on it live
// (0 when none, or when its hold ended: a tombstone has qty 0).
func (s *Store) Product(ctx context.Context, id, orderID string) (domain.Product, int64, error) {
	var doc productDoc
	if err := s.readProducts.FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
		return domain.Product{}, 0, wrap(err, "product %s", id)
	}
	return doc.product(), doc.Holds[orderID].Qty, nil
}

// AllProducts reads every product, to load the read model at start-up.
func (s *Store) AllProducts(ctx context.Context) ([]domain.Product, error) {
	cur, err := s.readProducts.Find(ctx, bson.M{})
	if err != nil {
		return nil, wrap(err, "load products")
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var out []domain.Product
	for cur.Next(ctx) {
		var doc productDoc
		if err := cur.Decode(&doc); err != nil {
			return nil, fmt.Errorf("load products: decode: %w", err)
		}
		out = append(out, doc.product())
	}
	if err := cur.Err(); err != nil {
		return nil, wrap(err, "load products")
	}
	return out, nil
}

// SaveProduct writes a merchant's change to a product read at version
// prev: its details, archived flag, available units and restock total,
// and a parent's options and variant list, as p has them (p.Version must
// be prev+1). Held and sold units are left alone. ErrStale when the product changed since it was read (a
// reservation, say), ErrDuplicateSKU when a new SKU is taken.
func (s *Store) SaveProduct(ctx context.Context, prev int64, p domain.Product, entries ...outbox.Entry) error {
	set := bson.M{
		"sku": p.SKU, "name": p.Name, "description": p.Description, "category": p.Category,
		"price": moneyDoc(p.Price), "images": p.Images, "weight_grams": p.WeightGrams, "archived": p.Archived,
		"stock.available": p.Stock.Available, "restocked": p.Restocked,
		"version": p.Version, "updated_at": p.UpdatedAt,
	}
	if p.HasVariants() {
		set["options"], set["variant_ids"] = optionDocs(p.Options), p.VariantIDs
	}
	update := bson.M{"$set": set}
	guard := bson.M{"merchant_id": p.MerchantID, "version": prev}
	matched, err := outbox.Update(ctx, s.writer, s.relay, s.products, p.ID, guard, update, entries)
	if err != nil {
		if mongodb.IsDuplicateKey(err) {
			return ErrDuplicateSKU
		}
		return wrap(err, "save product %s", p.ID)
	}
	if !matched {
		return fmt.Errorf("save product %s at version %d: %w", p.ID, prev, ErrStale)
	}
	return nil
}

// stockUpdate runs one conditional stock update on product id and returns
// the product after it, or ok=false when the guard did not hold.
func (s *Store) stockUpdate(ctx context.Context, what, id string, guard, update bson.M) (domain.Product, bool, error) {
	doc, ok, err := s.stockUpdateDoc(ctx, what, id, guard, update)
	if err != nil || !ok {
		return domain.Product{}, ok, err
	}
	return doc.product(), true, nil
}

// stockUpdateDoc is stockUpdate returning the stored document.
func (s *Store) stockUpdateDoc(ctx context.Context, what, id string, guard, update bson.M) (productDoc, bool, error) {
	raw, ok, err := s.writer.FindOneAndUpdate(ctx, s.products, id, guard, update, false)
	if err != nil {
		return productDoc{}, false, wrap(err, "%s", what)
	}
	if !ok {
		return productDoc{}, false, nil
	}
	var doc productDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return productDoc{}, false, wrap(err, "%s", what)
	}
	return doc, true, nil
}

// DeleteVariant removes variant id of parentID, and nothing else: the
// undoing of a variant written for a parent that was then not written (or
// not changed to list it), so its SKU is free again.
func (s *Store) DeleteVariant(ctx context.Context, id, parentID string) error {
	_, err := s.writer.DeleteOne(ctx, s.products, id, bson.M{"variant_of": parentID})
	return wrap(err, "delete variant %s", id)
}
