// Package outbox is Mercato's transactional outbox without transactions
// (docs/architecture.md "Storage rules").
//
// A document whose write produces events carries them in an array field
// "outbox", appended in the same single-document write as the state change:
// Push adds them to an update, an insert puts []Entry under "outbox". After
// the write the store calls Relay.Notify; the Relay loads the document by
// _id, publishes its entries in array order, waits for the acknowledgements
// of all replicas, then removes exactly the published entries. A periodic
// sweep finds entries that a crashed process left behind. Delivery is
// at-least-once: an entry is removed only after Kafka acknowledged it.
package outbox

import (
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
)

// Field is the name of the array field that holds a document's pending events.
const Field = "outbox"

// Entry is one event waiting in a document's outbox.
type Entry struct {
	// ID is unique; it tells entries with equal contents apart.
	ID    string `bson:"id"`
	Topic string `bson:"topic"`
	// Key is the aggregate id, the Kafka message key.
	Key string `bson:"key"`
	// Payload is the event as published, e.g. a CloudEvents JSON envelope.
	Payload string `bson:"payload"`
	// Headers travel as Kafka headers (for example traceparent).
	Headers   map[string]string `bson:"headers,omitempty"`
	CreatedAt time.Time         `bson:"created_at"`
}

// NewEntry returns an entry with a fresh id, created now.
func NewEntry(topic, key string, payload []byte, headers map[string]string) Entry {
	return Entry{
		ID:        uuid.NewString(),
		Topic:     topic,
		Key:       key,
		Payload:   string(payload),
		Headers:   headers,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond), // BSON dates hold milliseconds
	}
}

// Push adds entries to update as {$push: {outbox: {$each: entries}}}, so they
// are written by the same single-document update as the state change, and
// returns update (a nil update becomes a new one). An existing "$push" of
// the caller (bson.M or bson.D) is kept. Without entries update is returned
// unchanged.
//
//	update := outbox.Push(bson.M{"$set": bson.M{"status": "paid"}}, entry)
func Push(update bson.M, entries ...Entry) bson.M {
	if len(entries) == 0 {
		return update
	}
	if update == nil {
		update = bson.M{}
	}
	each := bson.M{"$each": entries}
	switch existing := update["$push"].(type) {
	case nil:
		update["$push"] = bson.M{Field: each}
	case bson.M:
		existing[Field] = each
	case bson.D:
		update["$push"] = append(existing, bson.E{Key: Field, Value: each})
	default:
		// A $push of another shape is a programming error of the caller.
		panic("outbox.Push: update[\"$push\"] must be bson.M or bson.D")
	}
	return update
}
