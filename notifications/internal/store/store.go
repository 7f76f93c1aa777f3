// Package store keeps the notifications service's data in its own MongoDB
// database (or the embedded FerretDB): the directory of users, merchants and
// orders built from events, the preferences, the notifications and webhook
// deliveries with their retries, and the queue of work still due.
//
// Every write is one single-document write addressed by _id
// (docs/architecture.md "Storage rules"). Idempotency rests on deterministic
// _ids: a notification's is derived from (event id, recipient, kind), a
// delivery's from (webhook id, event id), so inserting one twice is a
// duplicate key and changes nothing.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

// Collection names.
const (
	ContactsCollection      = "contacts"
	OrdersCollection        = "orders"
	PreferencesCollection   = "preferences"
	NotificationsCollection = "notifications"
	WebhooksCollection      = "webhooks"
	DeliveriesCollection    = "deliveries"
	QueueCollection         = "queue"
)

// Store reads and writes the service's collections; writes go through the
// write database (one connection on FerretDB).
type Store struct {
	w, r *mongo.Database
}

// New returns the store of db.
func New(db *mongodb.Store) *Store { return &Store{w: db.Write, r: db.Read} }

// EnsureIndexes creates the secondary indexes: a merchant's webhooks, a
// webhook's deliveries and the due time of queued work.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := mongodb.EnsureIndexes(ctx, s.w.Collection(WebhooksCollection),
		mongo.IndexModel{Keys: bson.D{{Key: "merchant_id", Value: 1}}}); err != nil {
		return err
	}
	if err := mongodb.EnsureIndexes(ctx, s.w.Collection(DeliveriesCollection),
		mongo.IndexModel{Keys: bson.D{{Key: "webhook_id", Value: 1}, {Key: "created_at", Value: -1}}}); err != nil {
		return err
	}
	return mongodb.EnsureIndexes(ctx, s.w.Collection(QueueCollection),
		mongo.IndexModel{Keys: bson.D{{Key: "next_try_at", Value: 1}}})
}

// upsertSet $sets fields on the document _id, creating it when missing.
func (s *Store) upsertSet(ctx context.Context, coll, id string, set bson.M, what string) error {
	_, err := s.w.Collection(coll).UpdateByID(ctx, id, bson.M{"$set": set}, options.Update().SetUpsert(true))
	return mongodb.Translate(err, what)
}

// insertOnce inserts doc and reports whether it was new; a duplicate _id
// is not an error.
func (s *Store) insertOnce(ctx context.Context, coll string, doc any, what string) (bool, error) {
	_, err := s.w.Collection(coll).InsertOne(ctx, doc)
	if mongodb.IsDuplicateKey(err) {
		return false, nil
	}
	if err != nil {
		return false, mongodb.Translate(err, what)
	}
	return true, nil
}

// findByID decodes the document _id of coll into out.
func (s *Store) findByID(ctx context.Context, coll, id string, out any, what string) error {
	err := s.r.Collection(coll).FindOne(ctx, bson.M{"_id": id}).Decode(out)
	return mongodb.Translate(err, what)
}

// IsNotFound reports whether err means a missing document.
func IsNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }

// Queue kinds: what a queue entry refers to.
const (
	QueueNotification = "n"
	QueueDelivery     = "d"
)

// queueDoc is one piece of due work: _id = kind:ref.
type queueDoc struct {
	ID         string    `bson:"_id"`
	Kind       string    `bson:"kind"`
	Ref        string    `bson:"ref"`
	NextTryAt  time.Time `bson:"next_try_at"`
	LeaseUntil time.Time `bson:"lease_until"`
}

// Due is a queue entry: the kind of work and the id of its document.
type Due struct {
	Kind, Ref string
}

func queueID(kind, ref string) string { return kind + ":" + ref }

// schedule puts (kind, ref) in the queue, due at at and leased until
// leaseUntil (zero: free for any worker).
func (s *Store) schedule(ctx context.Context, kind, ref string, at, leaseUntil time.Time) error {
	return s.upsertSet(ctx, QueueCollection, queueID(kind, ref),
		bson.M{"kind": kind, "ref": ref, "next_try_at": at, "lease_until": leaseUntil}, "schedule "+kind+" "+ref)
}

// ensureScheduled puts (kind, ref) in the queue, due at at, unless it is
// there already: an entry a worker holds keeps its lease (a redelivered
// event or an operator's replay must not let a second worker send what the
// first is sending).
func (s *Store) ensureScheduled(ctx context.Context, kind, ref string, at time.Time) error {
	_, err := s.w.Collection(QueueCollection).UpdateByID(ctx, queueID(kind, ref),
		bson.M{"$setOnInsert": bson.M{"kind": kind, "ref": ref, "next_try_at": at, "lease_until": time.Time{}}},
		options.Update().SetUpsert(true))
	return mongodb.Translate(err, "schedule "+kind+" "+ref)
}

// unschedule removes (kind, ref) from the queue.
func (s *Store) unschedule(ctx context.Context, kind, ref string) error {
	_, err := s.w.Collection(QueueCollection).DeleteOne(ctx, bson.M{"_id": queueID(kind, ref)})
	return mongodb.Translate(err, "unschedule "+kind+" "+ref)
}

// DueWork lists up to limit entries due at now whose lease has expired.
// The queue holds only unfinished work, so it stays small.
func (s *Store) DueWork(ctx context.Context, now time.Time, limit int) ([]Due, error) {
	cur, err := s.r.Collection(QueueCollection).Find(ctx,
		bson.M{"next_try_at": bson.M{"$lte": now}, "lease_until": bson.M{"$lte": now}},
		options.Find().SetSort(bson.D{{Key: "next_try_at", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, mongodb.Translate(err, "due work")
	}
	var docs []queueDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.Translate(err, "due work")
	}
	out := make([]Due, len(docs))
	for i, d := range docs {
		out[i] = Due{Kind: d.Kind, Ref: d.Ref}
	}
	return out, nil
}

// Claim leases the queue entry (kind, ref) until now+lease, so one worker
// (of any replica) works on it at a time; false when another holds it or
// it is gone.
func (s *Store) Claim(ctx context.Context, kind, ref string, now time.Time, lease time.Duration) (bool, error) {
	res, err := s.w.Collection(QueueCollection).UpdateOne(ctx,
		bson.M{"_id": queueID(kind, ref), "lease_until": bson.M{"$lte": now}},
		bson.M{"$set": bson.M{"lease_until": now.Add(lease)}})
	if err != nil {
		return false, mongodb.Translate(err, fmt.Sprintf("claim %s %s", kind, ref))
	}
	return res.ModifiedCount == 1, nil
}

// QueueLength counts the unfinished work (tests, the runbook's check).
func (s *Store) QueueLength(ctx context.Context) (int, error) {
	n, err := s.r.Collection(QueueCollection).CountDocuments(ctx, bson.M{})
	return int(n), mongodb.Translate(err, "count queue")
}
