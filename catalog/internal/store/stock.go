package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// Stock updates of the reservation saga. Each is one conditional update of
// one product document, idempotent per order: the order's entry in holds
// (or returned) says whether it was already applied.

// TombstoneGrace is how long an ended hold's tombstone stays on a product
// before Hold may prune it: far longer than any run of order.placed that
// started before the order's outcome was recorded can still be going.
const TombstoneGrace = 24 * time.Hour

// pruneAtLeast is how many tombstones past their grace a product gathers
// before Hold prunes them, so pruning costs about one write in that many.
const pruneAtLeast = 16

// Hold moves qty units of product id from available to held for orderID,
// if that many are available, the product is not archived and the order
// has no entry on it yet: neither a live hold nor the tombstone of an
// ended one. ok=false when it did not. A product that gathered enough
// tombstones older than TombstoneGrace is pruned of them afterwards.
func (s *Store) Hold(ctx context.Context, id, orderID string, qty int64, expiresAt, now time.Time) (domain.Product, bool, error) {
	doc, ok, err := s.stockUpdateDoc(ctx, "hold "+id,
		id, bson.M{"archived": false, "stock.available": bson.M{"$gte": qty}, "holds." + orderID: bson.M{"$exists": false}},
		bson.M{
			"$inc": bson.M{"stock.available": -qty, "stock.held": qty, "version": 1},
			"$set": bson.M{"holds." + orderID: holdDoc{Qty: qty, ExpiresAt: expiresAt}, "updated_at": now},
		})
	if err != nil || !ok {
		return domain.Product{}, ok, err
	}
	if err := s.pruneTombstones(ctx, doc, now.Add(-TombstoneGrace)); err != nil {
		return domain.Product{}, false, err
	}
	return doc.product(), true, nil
}

// pruneTombstones removes doc's tombstones that ended before cutoff, when
// there are at least pruneAtLeast of them. The update requires each of them
// to still be a tombstone, so it never removes a live hold.
func (s *Store) pruneTombstones(ctx context.Context, doc productDoc, cutoff time.Time) error {
	guard := bson.M{}
	unset := bson.M{}
	for orderID, h := range doc.Holds {
		if h.Released && h.At.Before(cutoff) {
			guard["holds."+orderID+".released"] = true
			unset["holds."+orderID] = ""
		}
	}
	if len(unset) < pruneAtLeast {
		return nil
	}
	_, err := s.writer.UpdateOne(ctx, s.products, doc.ID, guard, bson.M{"$unset": unset}, false)
	return wrap(err, "prune tombstones on %s", doc.ID)
}

// Unhold moves the qty units orderID holds on product id back to
// available, leaving a tombstone. ok=false when the order holds nothing
// (already released, committed or rolled back).
func (s *Store) Unhold(ctx context.Context, id, orderID string, qty int64, now time.Time) (domain.Product, bool, error) {
	return s.stockUpdate(ctx, "release hold on "+id,
		id, bson.M{"holds." + orderID + ".qty": qty},
		bson.M{
			"$inc": bson.M{"stock.available": qty, "stock.held": -qty, "version": 1},
			"$set": bson.M{"holds." + orderID: tombstone(now), "updated_at": now},
		})
}

// CommitHold moves the qty units orderID holds on product id to sold,
// leaving a tombstone. ok=false when the order holds nothing.
func (s *Store) CommitHold(ctx context.Context, id, orderID string, qty int64, now time.Time) (domain.Product, bool, error) {
	return s.stockUpdate(ctx, "commit hold on "+id,
		id, bson.M{"holds." + orderID + ".qty": qty},
		bson.M{
			"$inc": bson.M{"stock.held": -qty, "stock.sold": qty, "version": 1},
			"$set": bson.M{"holds." + orderID: tombstone(now), "updated_at": now},
		})
}

// ForbidHold leaves a tombstone for orderID on product id where the order
// has no entry yet, so no later run can hold it for the order. ok=false
// when the order has an entry (a live hold or a tombstone) or there is no
// such product. Counters do not change.
func (s *Store) ForbidHold(ctx context.Context, id, orderID string, now time.Time) (bool, error) {
	ok, err := s.writer.UpdateOne(ctx, s.products, id,
		bson.M{"holds." + orderID: bson.M{"$exists": false}},
		bson.M{"$set": bson.M{"holds." + orderID: tombstone(now)}}, false)
	if err != nil {
		return false, wrap(err, "forbid holds on %s", id)
	}
	return ok, nil
}

// ReturnSold moves qty sold units of product id back to available for
// orderID's refund, once: a marker under returned records it until
// ClearReturnMarker. ok=false when already returned.
func (s *Store) ReturnSold(ctx context.Context, id, orderID string, qty int64, now time.Time) (domain.Product, bool, error) {
	return s.stockUpdate(ctx, "return sold units of "+id,
		id, bson.M{"stock.sold": bson.M{"$gte": qty}, "returned." + orderID: bson.M{"$exists": false}},
		bson.M{
			"$inc": bson.M{"stock.sold": -qty, "stock.available": qty, "version": 1},
			"$set": bson.M{"returned." + orderID: qty, "updated_at": now},
		})
}

// ClearReturnMarker removes orderID's return marker from product id once
// the reservation records the return.
func (s *Store) ClearReturnMarker(ctx context.Context, id, orderID string) error {
	_, err := s.writer.UpdateOne(ctx, s.products, id, nil, bson.M{"$unset": bson.M{"returned." + orderID: ""}}, false)
	return wrap(err, "clear return marker on %s", id)
}
