package outbox

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// pendingFilter matches documents with at least one outbox entry; it works
// on MongoDB and FerretDB v1.
var pendingFilter = bson.M{Field + ".0": bson.M{"$exists": true}}

// sweep queues every document of the watched collections that holds outbox
// entries, and refreshes the backlog gauge.
func (r *Relay) sweep(ctx context.Context) error {
	var errs []error
	for _, coll := range r.collections() {
		if err := r.sweepCollection(ctx, coll); err != nil {
			if ctx.Err() != nil {
				return err // shutting down
			}
			r.log.Warn("outbox sweep failed", "collection", coll.Name(), "error", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Relay) sweepCollection(ctx context.Context, coll *mongo.Collection) error {
	src := coll
	if reads := r.opts.Reads; reads != nil && reads.Name() == coll.Database().Name() {
		src = reads.Collection(coll.Name())
	}
	cur, err := src.Find(ctx, pendingFilter, options.Find().SetProjection(bson.M{"_id": 1, Field: 1}))
	if err != nil {
		return fmt.Errorf("sweep %s: %w", coll.Name(), err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var refs []docRef
	pending := map[string]int{}
	for cur.Next(ctx) {
		var doc struct {
			ID     any             `bson:"_id"`
			Outbox []bson.RawValue `bson:"outbox"`
		}
		if err := cur.Decode(&doc); err != nil {
			return fmt.Errorf("sweep %s: decode: %w", coll.Name(), err)
		}
		ref := newDocRef(coll, doc.ID)
		refs = append(refs, ref)
		pending[ref.key] = len(doc.Outbox)
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("sweep %s: %w", coll.Name(), err)
	}
	r.metrics.sweptCollection(coll.Name(), pending)
	if len(refs) > 0 {
		r.log.Info("outbox sweep found pending events", "collection", coll.Name(), "documents", len(refs))
		r.queue.add(refs...)
	}
	return nil
}
