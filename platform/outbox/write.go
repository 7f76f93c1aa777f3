package outbox

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/mongodb"
)

// Notifier is told about the documents a store writes with outbox
// entries. *Relay implements it (a nil *Relay ignores everything), and so
// does Discard, for a store used without a relay.
type Notifier interface {
	// Watch: the documents of colls carry outboxes, to be swept (at
	// start-up and periodically). A store calls it when it is built.
	Watch(colls ...*mongo.Collection)
	// Notify: document docID of coll may hold new entries; they are loaded.
	Notify(coll *mongo.Collection, docID any)
	// Written: after a write, document docID's outbox holds exactly
	// pending, as stored.
	Written(coll *mongo.Collection, docID any, pending []bson.Raw)
}

// Discard is a Notifier that ignores everything.
var Discard Notifier = discard{}

type discard struct{}

func (discard) Watch(...*mongo.Collection)                 {}
func (discard) Notify(*mongo.Collection, any)              {}
func (discard) Written(*mongo.Collection, any, []bson.Raw) {}

// Insert inserts doc, a new document with _id id whose outbox field holds
// entries, through w, and tells n. This and Update are the one way a store
// writes events: the state change and its events in one single-document
// write, then the relay told what to publish.
func Insert(ctx context.Context, w *mongodb.Writer, n Notifier, coll *mongo.Collection, id string, doc any, entries []Entry) error {
	if err := w.InsertOne(ctx, coll, id, doc); err != nil {
		notifyUncertain(n, coll, id, entries, err)
		return err
	}
	notifyEntries(n, coll, id, entries)
	return nil
}

// notifyUncertain tells n to look at document id after a write that
// failed: a write whose answer was lost (the connection cut by a store
// outage: "socket was unexpectedly closed: EOF") may have been applied,
// and its retry then finds the state already changed and writes nothing,
// so no later write would notify the entries and they waited for the
// next start-up sweep (seen in the chaos suite: an order paid, its
// order.paid event never published, its stock held for good). The relay
// loads the document and finds the entries, or none. A duplicate key
// applied nothing.
func notifyUncertain(n Notifier, coll *mongo.Collection, id any, entries []Entry, err error) {
	if len(entries) > 0 && !mongo.IsDuplicateKeyError(err) {
		n.Notify(coll, id)
	}
}

// notifyEntries tells n that a new document holds entries.
func notifyEntries(n Notifier, coll *mongo.Collection, id any, entries []Entry) {
	if len(entries) == 0 {
		return
	}
	raws, err := Raws(entries)
	if err != nil {
		n.Notify(coll, id) // the write encoded them; the relay will load them
		return
	}
	n.Written(coll, id, raws)
}

// Update applies update to document id of coll through w if it meets guard
// (nil: no condition), appending entries to its outbox in the same write,
// and tells n the document's outbox after the write (one command: the
// update returns the document). It reports whether the guard held.
func Update(ctx context.Context, w *mongodb.Writer, n Notifier, coll *mongo.Collection, id string, guard, update bson.M, entries []Entry) (bool, error) {
	if len(entries) == 0 {
		return w.UpdateOne(ctx, coll, id, guard, update, false)
	}
	_, ok, err := UpdateReturning(ctx, w, n, coll, id, guard, update, entries)
	return ok, err
}

// UpdateReturning is Update for a caller that needs the document as the
// write left it (nil when the guard did not hold or nothing matched).
func UpdateReturning(ctx context.Context, w *mongodb.Writer, n Notifier, coll *mongo.Collection, id string, guard, update bson.M, entries []Entry) (bson.Raw, bool, error) {
	doc, ok, err := w.FindOneAndUpdate(ctx, coll, id, guard, Push(update, entries...), false)
	if err != nil {
		notifyUncertain(n, coll, id, entries, err)
		return nil, ok, err
	}
	if !ok {
		return nil, false, nil
	}
	if pending := PendingOf(doc); len(pending) > 0 {
		n.Written(coll, id, pending)
	} else if len(entries) > 0 {
		n.Notify(coll, id)
	}
	return doc, true, nil
}
