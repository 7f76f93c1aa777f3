package outbox

import (
	"context"
	"errors"
	"fmt"

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

// round loads up to BatchSize queued documents, publishes their entries in
// one call and removes the published entries. On failure the documents go
// back to the queue; as each is loaded afresh, its entries keep their order.
func (r *Relay) round(ctx context.Context) error {
	refs := r.queue.take(r.opts.BatchSize)
	var (
		docs []loadedDoc
		msgs []kafka.Message
	)
	for _, ref := range refs {
		doc, docMsgs, err := r.load(ctx, ref)
		if err != nil {
			r.queue.add(refs...)
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
	if err := r.pub.Publish(ctx, msgs...); err != nil {
		r.countPublishError(docs)
		r.queue.add(refs...)
		return fmt.Errorf("publish %d outbox entries: %w", len(msgs), err)
	}
	var errs []error
	for _, doc := range docs {
		r.metrics.published.WithLabelValues(doc.ref.coll.Name()).Add(float64(len(doc.published)))
		if err := r.remove(ctx, doc); err != nil {
			// The entries stay and are published again: at-least-once.
			r.queue.add(doc.ref)
			errs = append(errs, err)
			continue
		}
		r.metrics.setPending(doc.ref, doc.invalid)
	}
	return errors.Join(errs...)
}

// load reads one document's outbox by _id and turns its entries into
// messages, in array order.
func (r *Relay) load(ctx context.Context, ref docRef) (loadedDoc, []kafka.Message, error) {
	doc := loadedDoc{ref: ref}
	var stored struct {
		Outbox []bson.Raw `bson:"outbox"`
	}
	err := ref.coll.FindOne(ctx, bson.M{"_id": ref.id}, options.FindOne().SetProjection(bson.M{Field: 1})).Decode(&stored)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return doc, nil, nil
	}
	if err != nil {
		return doc, nil, fmt.Errorf("load outbox of %s %v: %w", ref.coll.Name(), ref.id, err)
	}
	msgs := make([]kafka.Message, 0, len(stored.Outbox))
	for _, raw := range stored.Outbox {
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
	return doc, msgs, nil
}

// remove pulls exactly the published elements. $pullAll compares whole
// elements, which FerretDB v1 supports (a $pull condition on part of an
// element silently removes nothing there), and it never touches entries
// appended after the load.
func (r *Relay) remove(ctx context.Context, doc loadedDoc) error {
	update := bson.M{"$pullAll": bson.M{Field: doc.published}}
	if _, err := doc.ref.coll.UpdateOne(ctx, bson.M{"_id": doc.ref.id}, update); err != nil {
		return fmt.Errorf("remove published outbox entries of %s %v: %w", doc.ref.coll.Name(), doc.ref.id, err)
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
