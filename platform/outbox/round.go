package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/kafka"
)

// loadedDoc is a document whose outbox entries are being published.
type loadedDoc struct {
	ref docRef
	// published holds the stored elements exactly as read, so $pullAll
	// removes precisely them (field order included) and nothing appended
	// since.
	published []bson.Raw
	// invalid counts elements that cannot be published (they stay).
	invalid int
}

// round takes up to BatchSize queued documents, publishes their entries in
// one call and removes the published entries, one command per collection.
// A document whose whole outbox the write that notified it reported
// (Written) is not loaded. On failure the documents go back to the queue to
// be loaded afresh, so their entries keep their order.
func (r *Relay) round(ctx context.Context) error {
	refs := r.queue.take(r.opts.BatchSize)
	var (
		docs []loadedDoc
		msgs []kafka.Message
	)
	start := time.Now()
	for _, ref := range refs {
		if !ref.queued.IsZero() {
			r.metrics.observePhase(ref.coll.Name(), "wait", start.Sub(ref.queued))
		}
		doc, docMsgs, err := r.entriesOf(ctx, ref)
		if err != nil {
			r.queue.add(toLoad(refs)...)
			return err
		}
		r.metrics.setPending(ref, len(doc.published)+doc.invalid)
		if len(doc.published) > 0 {
			docs = append(docs, doc)
			msgs = append(msgs, docMsgs...)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	publishStart := time.Now()
	if err := r.pub.Publish(ctx, msgs...); err != nil {
		r.countPublishError(docs)
		r.queue.add(toLoad(refs)...)
		return fmt.Errorf("publish %d outbox entries: %w", len(msgs), err)
	}
	published := time.Since(publishStart)
	for _, doc := range docs {
		r.metrics.published.WithLabelValues(doc.ref.coll.Name()).Add(float64(len(doc.published)))
		r.metrics.observePhase(doc.ref.coll.Name(), "publish", published)
	}
	return r.removeAll(ctx, docs)
}

// toLoad returns refs marked to be loaded again.
func toLoad(refs []docRef) []docRef {
	out := make([]docRef, len(refs))
	for i, ref := range refs {
		ref.known, ref.pending = false, nil
		out[i] = ref
	}
	return out
}

// entriesOf returns the document's pending entries and their messages: from
// what its write reported when known (less what this relay removed since),
// otherwise loaded.
func (r *Relay) entriesOf(ctx context.Context, ref docRef) (loadedDoc, []kafka.Message, error) {
	if ref.known {
		doc, msgs := r.toMessages(ref, r.removed.without(ref.pending))
		return doc, msgs, nil
	}
	loadStart := time.Now()
	var stored struct {
		Outbox []bson.Raw `bson:"outbox"`
	}
	err := ref.coll.FindOne(ctx, bson.M{"_id": ref.id}, options.FindOne().SetProjection(bson.M{Field: 1})).Decode(&stored)
	r.metrics.observePhase(ref.coll.Name(), "load", time.Since(loadStart))
	if errors.Is(err, mongo.ErrNoDocuments) {
		return loadedDoc{ref: ref}, nil, nil
	}
	if err != nil {
		return loadedDoc{ref: ref}, nil, fmt.Errorf("load outbox of %s %v: %w", ref.coll.Name(), ref.id, err)
	}
	doc, msgs := r.toMessages(ref, stored.Outbox)
	return doc, msgs, nil
}

// toMessages turns stored entries into messages, in array order.
func (r *Relay) toMessages(ref docRef, stored []bson.Raw) (loadedDoc, []kafka.Message) {
	doc := loadedDoc{ref: ref}
	msgs := make([]kafka.Message, 0, len(stored))
	for _, raw := range stored {
		var e Entry
		err := bson.Unmarshal(raw, &e)
		if err == nil && e.Topic == "" {
			err = errors.New("entry has no topic")
		}
		if err != nil {
			// A malformed entry is a programming error; it is left in place
			// (and reported at every sweep) rather than blocking the relay.
			r.log.Error("outbox entry cannot be published", "collection", ref.coll.Name(), "id", ref.id, "entry", raw.String(), "error", err)
			doc.invalid++
			continue
		}
		doc.published = append(doc.published, raw)
		msgs = append(msgs, kafka.Message{Topic: e.Topic, Key: e.Key, Value: []byte(e.Payload), Headers: e.Headers})
	}
	return doc, msgs
}

// removeAll pulls exactly the published elements of docs, with one update
// command (a statement per document) per collection. $pullAll compares
// whole elements, which FerretDB v1 supports (a $pull condition on part of
// an element silently removes nothing there), and it never touches entries
// appended after the load. A document whose removal failed goes back to the
// queue: its entries are published again (at-least-once).
func (r *Relay) removeAll(ctx context.Context, docs []loadedDoc) error {
	byColl := map[string][]loadedDoc{}
	var order []string
	for _, doc := range docs {
		key := collKey(doc.ref.coll)
		if _, seen := byColl[key]; !seen {
			order = append(order, key)
		}
		byColl[key] = append(byColl[key], doc)
	}
	var errs []error
	for _, key := range order {
		if err := r.removeFrom(ctx, byColl[key]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeFrom removes the published entries of docs, all of one collection.
func (r *Relay) removeFrom(ctx context.Context, docs []loadedDoc) error {
	coll := docs[0].ref.coll
	models := make([]mongo.WriteModel, len(docs))
	for i, doc := range docs {
		models[i] = mongo.NewUpdateOneModel().
			SetFilter(bson.M{"_id": doc.ref.id}).
			SetUpdate(bson.M{"$pullAll": bson.M{Field: doc.published}})
	}
	start := time.Now()
	_, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	took := time.Since(start)
	failed := map[int]bool{}
	if err != nil {
		var bulk mongo.BulkWriteException
		if !errors.As(err, &bulk) || len(bulk.WriteErrors) == 0 {
			for i := range docs {
				failed[i] = true
			}
		}
		for _, we := range bulk.WriteErrors {
			failed[we.Index] = true
		}
	}
	for i, doc := range docs {
		r.metrics.observePhase(coll.Name(), "remove", took)
		if failed[i] {
			r.queue.add(toLoad([]docRef{doc.ref})...)
			continue
		}
		r.removed.add(doc.published)
		r.metrics.setPending(doc.ref, doc.invalid)
	}
	if err != nil {
		return fmt.Errorf("remove published outbox entries of %d documents of %s: %w", len(failed), coll.Name(), err)
	}
	return nil
}

// countPublishError counts a failed publish once per collection involved.
func (r *Relay) countPublishError(docs []loadedDoc) {
	seen := map[string]bool{}
	for _, doc := range docs {
		name := doc.ref.coll.Name()
		if !seen[name] {
			seen[name] = true
			r.metrics.publishErrors.WithLabelValues(name).Inc()
		}
	}
}
