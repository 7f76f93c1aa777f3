package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// Stock updates of the reservation saga. Each is one conditional update of
// one product document, idempotent per order: the order's entry in holds
// (or returned) says whether it was already applied.

func returnAfter() *options.FindOneAndUpdateOptions {
	return options.FindOneAndUpdate().SetReturnDocument(options.After)
}

// Hold moves qty units of product id from available to held for orderID,
// if that many are available, the product is not archived and the order
// holds nothing on it yet. ok=false when it did not.
func (s *Store) Hold(ctx context.Context, id, orderID string, qty int64, expiresAt, now time.Time) (domain.Product, bool, error) {
	return s.stockUpdate(ctx, "hold "+id,
		bson.M{"_id": id, "archived": false, "stock.available": bson.M{"$gte": qty}, "holds." + orderID: bson.M{"$exists": false}},
		bson.M{
			"$inc": bson.M{"stock.available": -qty, "stock.held": qty, "version": 1},
			"$set": bson.M{"holds." + orderID: holdDoc{Qty: qty, ExpiresAt: expiresAt}, "updated_at": now},
		})
}

// Unhold moves the qty units orderID holds on product id back to
// available. ok=false when the order holds nothing (already released or
// committed).
func (s *Store) Unhold(ctx context.Context, id, orderID string, qty int64, now time.Time) (domain.Product, bool, error) {
	return s.stockUpdate(ctx, "release hold on "+id,
		bson.M{"_id": id, "holds." + orderID + ".qty": qty},
		bson.M{
			"$inc":   bson.M{"stock.available": qty, "stock.held": -qty, "version": 1},
			"$unset": bson.M{"holds." + orderID: ""},
			"$set":   bson.M{"updated_at": now},
		})
}

// CommitHold moves the qty units orderID holds on product id to sold.
// ok=false when the order holds nothing.
func (s *Store) CommitHold(ctx context.Context, id, orderID string, qty int64, now time.Time) (domain.Product, bool, error) {
	return s.stockUpdate(ctx, "commit hold on "+id,
		bson.M{"_id": id, "holds." + orderID + ".qty": qty},
		bson.M{
			"$inc":   bson.M{"stock.held": -qty, "stock.sold": qty, "version": 1},
			"$unset": bson.M{"holds." + orderID: ""},
			"$set":   bson.M{"updated_at": now},
		})
}

// ReturnSold moves qty sold units of product id back to available for
// orderID's refund, once: a marker under returned records it until
// ClearReturnMarker. ok=false when already returned.
func (s *Store) ReturnSold(ctx context.Context, id, orderID string, qty int64, now time.Time) (domain.Product, bool, error) {
	return s.stockUpdate(ctx, "return sold units of "+id,
		bson.M{"_id": id, "stock.sold": bson.M{"$gte": qty}, "returned." + orderID: bson.M{"$exists": false}},
		bson.M{
			"$inc": bson.M{"stock.sold": -qty, "stock.available": qty, "version": 1},
			"$set": bson.M{"returned." + orderID: qty, "updated_at": now},
		})
}

// ClearReturnMarker removes orderID's return marker from product id once
// the reservation records the return.
func (s *Store) ClearReturnMarker(ctx context.Context, id, orderID string) error {
	_, err := s.products.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$unset": bson.M{"returned." + orderID: ""}})
	return wrap(err, "clear return marker on %s", id)
}
