package mongodb

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Writer makes every single-document write of a store an indexed lookup by
// _id on both backends, with MongoDB's atomic conditional semantics.
//
// A write names its document by _id and may carry a guard: conditions the
// document must still meet (a status, a version, available >= qty). On
// MongoDB the guard joins the _id in the filter of one atomic command.
// With a single writer (the embedded FerretDB, see Store) a filter with
// anything beside the _id makes FerretDB read and decode the whole
// collection (docs/performance.md), so the Writer locks the document in
// this process, reads it by _id, judges the guard itself (see matches) and
// writes by _id alone. That is atomic as long as every write of a guarded
// field goes through the Writer of the one process that writes the
// database, which is how the embedded default runs: one process per
// service, one writer connection each.
//
// The emulation remembers the documents it wrote (knownDocs): an update
// returns the document after it, and the next guarded write of that
// document judges its guard on it instead of reading it again. A guarded
// write of a document this process wrote last costs one command, as on
// MongoDB.
type Writer struct {
	emulate bool
	reads   *mongo.Database // guards are read here; nil: on the write's collection
	locks   [256]sync.Mutex
	known   knownDocs
}

// NewWriter returns a Writer that emulates guards (emulate, for a single
// embedded writer) or sends them to the server.
func NewWriter(emulate bool) *Writer { return &Writer{emulate: emulate} }

// ReadGuardsFrom makes an emulating Writer read documents for their guards
// through reads (the read pool) instead of the single write connection, so
// those reads do not queue behind writes. Under the document's lock no
// write of this process to it is in flight, and the store commits each
// write before answering, so the read sees the latest state.
func (w *Writer) ReadGuardsFrom(reads *mongo.Database) *Writer {
	w.reads = reads
	return w
}

func (w *Writer) lock(coll *mongo.Collection, id string) func() {
	if !w.emulate {
		return func() {}
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(coll.Database().Name() + "." + coll.Name() + "|" + id))
	m := &w.locks[h.Sum32()%uint32(len(w.locks))]
	m.Lock()
	return m.Unlock
}

// guardHolds judges guard on the document as this Writer last wrote it, or
// else as read by _id. A missing document holds no guard (and no empty one).
func (w *Writer) guardHolds(ctx context.Context, coll *mongo.Collection, id string, guard bson.M) (bool, error) {
	if doc, ok := w.known.get(coll, id); ok {
		if holds, err := matches(doc, guard); err != nil || holds {
			guardReads.WithLabelValues("known").Inc()
			return holds, err
		}
		// A failed guard is judged again on the stored document: a lost
		// race is rare, and a document wrongly remembered must not turn
		// every later write of it into a conflict.
		w.known.forget(coll, id)
	}
	guardReads.WithLabelValues("read").Inc()
	opts := options.FindOne()
	if len(guard) > 0 {
		proj := bson.M{}
		for path := range guard {
			proj[path] = 1
		}
		opts.SetProjection(proj)
	}
	src := coll
	if w.reads != nil && w.reads.Name() == coll.Database().Name() {
		src = w.reads.Collection(coll.Name())
	}
	raw, err := src.FindOne(ctx, bson.M{"_id": id}, opts).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return matches(raw, guard)
}

func (w *Writer) filter(id string, guard bson.M) bson.M {
	f := bson.M{"_id": id}
	if !w.emulate {
		for k, v := range guard {
			f[k] = v
		}
	}
	return f
}

// UpdateOne applies update to document id if it meets guard (nil: no
// condition) and reports whether it matched. With upsert a missing
// document is created; an upsert takes no guard (MongoDB and the emulation
// would disagree on a document that exists but fails it), so asking for
// both is an error.
func (w *Writer) UpdateOne(ctx context.Context, coll *mongo.Collection, id string, guard bson.M, update any, upsert bool) (bool, error) {
	if upsert && len(guard) > 0 {
		return false, errors.New("mongodb writer: an upsert takes no guard")
	}
	defer w.lock(coll, id)()
	if w.emulate { // one command still, which returns the document to remember
		_, ok, err := w.findOneAndUpdate(ctx, coll, id, guard, update, upsert)
		return ok, err
	}
	opts := options.Update()
	if upsert {
		opts.SetUpsert(true)
	}
	res, err := coll.UpdateOne(ctx, w.filter(id, guard), update, opts)
	if err != nil {
		return false, err
	}
	return res.MatchedCount+res.UpsertedCount > 0, nil
}

// FindOneAndUpdate applies update to document id if it meets guard and
// returns the document after the update; ok is false when nothing matched.
// With upsert (and no guard, as for UpdateOne) a missing document is
// created.
func (w *Writer) FindOneAndUpdate(ctx context.Context, coll *mongo.Collection, id string, guard bson.M, update any, upsert bool) (doc bson.Raw, ok bool, err error) {
	if upsert && len(guard) > 0 {
		return nil, false, errors.New("mongodb writer: an upsert takes no guard")
	}
	defer w.lock(coll, id)()
	return w.findOneAndUpdate(ctx, coll, id, guard, update, upsert)
}

// findOneAndUpdate is FindOneAndUpdate under the document's lock.
func (w *Writer) findOneAndUpdate(ctx context.Context, coll *mongo.Collection, id string, guard bson.M, update any, upsert bool) (bson.Raw, bool, error) {
	if w.emulate && len(guard) > 0 {
		if ok, err := w.guardHolds(ctx, coll, id, guard); err != nil || !ok {
			return nil, false, err
		}
	}
	raw, err := coll.FindOneAndUpdate(ctx, w.filter(id, guard), update,
		options.FindOneAndUpdate().SetReturnDocument(options.After).SetUpsert(upsert)).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		if w.emulate {
			w.known.forget(coll, id)
		}
		return nil, false, nil
	}
	if err != nil {
		if w.emulate {
			w.known.forget(coll, id) // the write may or may not have happened
		}
		return nil, false, err
	}
	if w.emulate {
		w.known.put(coll, id, raw)
	}
	return raw, true, nil
}

// InsertOne inserts doc, a new document whose _id is id. On the single
// writer it remembers the document as inserted (the exact bytes sent), so
// the first guarded write of it judges its guard without reading it.
func (w *Writer) InsertOne(ctx context.Context, coll *mongo.Collection, id string, doc any) error {
	if !w.emulate {
		_, err := coll.InsertOne(ctx, doc)
		return err
	}
	raw, err := bson.Marshal(doc)
	if err != nil {
		return err
	}
	defer w.lock(coll, id)()
	if _, err := coll.InsertOne(ctx, bson.Raw(raw)); err != nil {
		w.known.forget(coll, id)
		return err
	}
	w.known.put(coll, id, raw)
	return nil
}

// ReplaceOne replaces document id with replacement if it meets guard and
// reports whether it matched.
func (w *Writer) ReplaceOne(ctx context.Context, coll *mongo.Collection, id string, guard bson.M, replacement any) (bool, error) {
	defer w.lock(coll, id)()
	if w.emulate && len(guard) > 0 {
		if ok, err := w.guardHolds(ctx, coll, id, guard); err != nil || !ok {
			return false, err
		}
	}
	if w.emulate {
		w.known.forget(coll, id)
	}
	res, err := coll.ReplaceOne(ctx, w.filter(id, guard), replacement)
	if err != nil {
		return false, err
	}
	return res.MatchedCount > 0, nil
}

// DeleteOne deletes document id if it meets guard and reports whether it
// did.
func (w *Writer) DeleteOne(ctx context.Context, coll *mongo.Collection, id string, guard bson.M) (bool, error) {
	defer w.lock(coll, id)()
	if w.emulate && len(guard) > 0 {
		if ok, err := w.guardHolds(ctx, coll, id, guard); err != nil || !ok {
			return false, err
		}
	}
	if w.emulate {
		w.known.forget(coll, id)
	}
	res, err := coll.DeleteOne(ctx, w.filter(id, guard))
	if err != nil {
		return false, err
	}
	return res.DeletedCount > 0, nil
}
