package outbox_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/outbox"
)

func TestNewEntry(t *testing.T) {
	a := outbox.NewEntry("orders.events", "o-1", []byte(`{"x":1}`), map[string]string{"traceparent": "00-abc"})
	b := outbox.NewEntry("orders.events", "o-1", []byte(`{"x":1}`), nil)
	if a.ID == "" || a.ID == b.ID {
		t.Fatalf("ids %q and %q must be unique and set", a.ID, b.ID)
	}
	if a.Topic != "orders.events" || a.Key != "o-1" || a.Payload != `{"x":1}` || a.Headers["traceparent"] != "00-abc" {
		t.Fatalf("entry %+v", a)
	}
	if a.CreatedAt.IsZero() || a.CreatedAt.Location() != time.UTC {
		t.Fatalf("created_at %v must be set, in UTC", a.CreatedAt)
	}
}

// TestPushAppendsInTheSameUpdate shows the state change and its events land
// in one single-document write, next to the caller's own $push.
func TestPushAppendsInTheSameUpdate(t *testing.T) {
	coll := newCollection(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := outbox.NewEntry("t", "o-1", []byte("placed"), nil)
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "o-1", "status": "pending", "outbox": []outbox.Entry{first}}); err != nil {
		t.Fatal(err)
	}
	second := outbox.NewEntry("t", "o-1", []byte("paid"), map[string]string{"traceparent": "tp"})
	third := outbox.NewEntry("t", "o-1", []byte("shipped"), nil)
	update := outbox.Push(bson.M{
		"$set":  bson.M{"status": "paid"},
		"$push": bson.M{"history": "paid"},
	}, second, third)
	res, err := coll.UpdateOne(ctx, bson.M{"_id": "o-1", "status": "pending"}, update)
	if err != nil || res.ModifiedCount != 1 {
		t.Fatalf("update: %v %+v", err, res)
	}
	var doc struct {
		Status  string
		History []string
		Outbox  []outbox.Entry
	}
	if err := coll.FindOne(ctx, bson.M{"_id": "o-1"}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Status != "paid" || len(doc.History) != 1 || len(doc.Outbox) != 3 {
		t.Fatalf("document %+v", doc)
	}
	for i, want := range []outbox.Entry{first, second, third} {
		got := doc.Outbox[i]
		if got.ID != want.ID || got.Payload != want.Payload || !got.CreatedAt.Equal(want.CreatedAt) || len(got.Headers) != len(want.Headers) {
			t.Fatalf("entry %d = %+v, want %+v", i, got, want)
		}
	}

	if got := outbox.Push(nil, first); got["$push"].(bson.M)["outbox"] == nil {
		t.Fatalf("Push(nil) = %v", got)
	}
	withD := outbox.Push(bson.M{"$push": bson.D{{Key: "history", Value: "x"}}}, first)
	if d := withD["$push"].(bson.D); len(d) != 2 || d[1].Key != "outbox" {
		t.Fatalf("Push kept bson.D $push badly: %v", withD)
	}
	if got := outbox.Push(bson.M{"$set": bson.M{"a": 1}}); got["$push"] != nil {
		t.Fatalf("Push without entries changed the update: %v", got)
	}
}
