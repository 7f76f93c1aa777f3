package outbox

import (
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/bson"
)

// MarshalBSON encodes the entry with its fields, and its headers, always in
// the same order. The relay removes published entries with $pullAll, which
// compares whole elements byte for byte (field order included), so the
// bytes of an entry must not depend on Go's random map order: then the
// entries a store wrote can be removed by value without loading them again.
func (e Entry) MarshalBSON() ([]byte, error) {
	doc := bson.D{
		{Key: "id", Value: e.ID},
		{Key: "topic", Value: e.Topic},
		{Key: "key", Value: e.Key},
		{Key: "payload", Value: e.Payload},
	}
	if len(e.Headers) > 0 {
		names := make([]string, 0, len(e.Headers))
		for name := range e.Headers {
			names = append(names, name)
		}
		slices.Sort(names)
		headers := make(bson.D, 0, len(names))
		for _, name := range names {
			headers = append(headers, bson.E{Key: name, Value: e.Headers[name]})
		}
		doc = append(doc, bson.E{Key: "headers", Value: headers})
	}
	doc = append(doc, bson.E{Key: "created_at", Value: e.CreatedAt})
	return bson.Marshal(doc)
}

// Raws returns entries as the exact elements a write stores for them.
func Raws(entries []Entry) ([]bson.Raw, error) {
	out := make([]bson.Raw, 0, len(entries))
	for _, e := range entries {
		raw, err := e.MarshalBSON()
		if err != nil {
			return nil, fmt.Errorf("outbox entry %s: %w", e.ID, err)
		}
		out = append(out, raw)
	}
	return out, nil
}

// PendingOf returns the outbox elements of a document as stored (nil when
// it has none). A document that is not valid BSON has none.
func PendingOf(doc bson.Raw) []bson.Raw {
	val, err := doc.LookupErr(Field)
	if err != nil {
		return nil
	}
	arr, ok := val.ArrayOK()
	if !ok {
		return nil
	}
	vals, err := arr.Values()
	if err != nil {
		return nil
	}
	out := make([]bson.Raw, 0, len(vals))
	for _, v := range vals {
		if d, ok := v.DocumentOK(); ok {
			out = append(out, d)
		}
	}
	return out
}

// entryID is the id field of a stored entry ("" when it has none).
func entryID(raw bson.Raw) string {
	id, _ := raw.Lookup("id").StringValueOK()
	return id
}
