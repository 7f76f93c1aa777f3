// Package listindex keeps append-only lists of ids — a shopper's orders, a
// merchant's orders — in documents addressed by _id, so that reading a page
// of one list costs a few lookups whatever the size of the collection the
// ids point into.
//
// A list filter such as {shopper_id: s} sorted by time reads every document
// of the collection on the embedded FerretDB (docs/performance.md). A List
// instead keeps, per key, a head document with the number of entries and
// bucket documents of up to BucketSize entries each; Add appends to the
// newest bucket, Page walks buckets from the newest back. Entries are
// written before the documents they name (a crash leaves an entry without
// its document, which the reader skips, never a document missing from its
// list), so an id may appear twice (a retried write): Page shows the newest
// occurrence only.
package listindex

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/mongodb"
)

// DefaultBucketSize bounds a bucket document (about 60 bytes an entry: a push rewrites the whole bucket).
const DefaultBucketSize = 100

// List is a set of append-only lists in one collection.
type List struct {
	read       *mongo.Collection
	write      *mongo.Collection
	writer     *mongodb.Writer
	bucketSize int64
}

// New returns the lists kept in collection of db.
func New(db *mongodb.Store, collection string) *List {
	return &List{
		read:       db.Read.Collection(collection),
		write:      db.Write.Collection(collection),
		writer:     db.Writer,
		bucketSize: DefaultBucketSize,
	}
}

// Item is one entry of a list.
type Item struct {
	ID string    `bson:"id"`
	At time.Time `bson:"at"`
}

type headDoc struct {
	N int64 `bson:"n"`
}

type bucketDoc struct {
	Items []Item `bson:"items"`
}

func bucketID(key string, bucket int64) string { return key + "#" + strconv.FormatInt(bucket, 10) }

// Add appends id, sorted at at, to the list key: two writes by _id (the
// head's count, then the entry in its bucket).
func (l *List) Add(ctx context.Context, key, id string, at time.Time) error {
	raw, _, err := l.writer.FindOneAndUpdate(ctx, l.write, key, nil, bson.M{"$inc": bson.M{"n": int64(1)}}, true)
	if err != nil {
		return mongodb.Translate(err, "count list "+key)
	}
	var head headDoc
	if err := bson.Unmarshal(raw, &head); err != nil {
		return mongodb.Translate(err, "count list "+key)
	}
	bucket := (head.N - 1) / l.bucketSize
	item := Item{ID: id, At: at.UTC().Truncate(time.Millisecond)}
	_, err = l.writer.UpdateOne(ctx, l.write, bucketID(key, bucket), nil, bson.M{"$push": bson.M{"items": item}}, true)
	return mongodb.Translate(err, "append to list "+key)
}

// Page returns up to limit entries of list key, newest first, after the
// entry with id after (empty: from the newest). An after that is no longer
// found ends the list.
func (l *List) Page(ctx context.Context, key, after string, limit int) ([]Item, error) {
	var head headDoc
	err := l.read.FindOne(ctx, bson.M{"_id": key}).Decode(&head)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, mongodb.Translate(err, "read list "+key)
	}
	seen := map[string]bool{}
	passed := after == ""
	var out []Item
	for bucket := (head.N - 1) / l.bucketSize; bucket >= 0 && len(out) < limit; bucket-- {
		var doc bucketDoc
		err := l.read.FindOne(ctx, bson.M{"_id": bucketID(key, bucket)}).Decode(&doc)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, mongodb.Translate(err, "read list "+key)
		}
		for i := len(doc.Items) - 1; i >= 0 && len(out) < limit; i-- {
			it := doc.Items[i]
			if seen[it.ID] {
				continue
			}
			seen[it.ID] = true
			if !passed {
				passed = it.ID == after
				continue
			}
			out = append(out, it)
		}
	}
	return out, nil
}

// markerID is the document that records that Backfill ran.
const markerID = "#backfilled"

// Backfill fills the lists on their first use from data written before
// they existed: load returns every entry of every list (key → items, oldest
// first), which Backfill writes bucket by bucket, then records that it ran.
// Later calls cost one lookup. Run it at start-up before serving.
func (l *List) Backfill(ctx context.Context, load func(context.Context) (map[string][]Item, error)) error {
	err := l.write.FindOne(ctx, bson.M{"_id": markerID}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return mongodb.Translate(err, "read list marker")
	}
	lists, err := load(ctx)
	if err != nil {
		return err
	}
	for key, items := range lists {
		for start := int64(0); start < int64(len(items)); start += l.bucketSize {
			end := min(start+l.bucketSize, int64(len(items)))
			_, err := l.writer.UpdateOne(ctx, l.write, bucketID(key, start/l.bucketSize), nil,
				bson.M{"$set": bson.M{"items": items[start:end]}}, true)
			if err != nil {
				return mongodb.Translate(err, "backfill list "+key)
			}
		}
		_, err := l.writer.UpdateOne(ctx, l.write, key, nil, bson.M{"$set": bson.M{"n": int64(len(items))}}, true)
		if err != nil {
			return mongodb.Translate(err, "backfill list "+key)
		}
	}
	_, err = l.writer.UpdateOne(ctx, l.write, markerID, nil, bson.M{"$set": bson.M{"at": time.Now().UTC()}}, true)
	return mongodb.Translate(err, "record list backfill")
}
