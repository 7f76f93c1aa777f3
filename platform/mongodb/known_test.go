package mongodb_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestAGuardedWriteOfADocumentThisWriterWroteLastIsOneCommand: the
// emulating Writer judges the guard on the document its previous write
// returned, so the second and later guarded writes send no read; a guard
// that fails on the remembered document is judged again on the stored one
// (nothing is refused on a stale memory), and a deleted document is
// forgotten.
func TestAGuardedWriteOfADocumentThisWriterWroteLastIsOneCommand(t *testing.T) {
	s := connect(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	coll := s.Write.Collection("orders")
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "o1", "status": "placed", "version": 0}); err != nil {
		t.Fatal(err)
	}
	step := func(from, to string, version int) bool {
		t.Helper()
		ok, err := s.Writer.UpdateOne(ctx, coll, "o1", bson.M{"status": from, "version": version},
			bson.M{"$set": bson.M{"status": to}, "$inc": bson.M{"version": 1}}, false)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	names := func(run func()) []string {
		var out []string
		for _, c := range embeddedtest.RecordCommands(t, s.Write.Name(), run) {
			out = append(out, c.Name)
		}
		return out
	}

	if got := names(func() {
		if !step("placed", "reserved", 0) {
			t.Fatal("first step refused")
		}
	}); len(got) != 2 {
		t.Errorf("first guarded write (the document was inserted, never written by the Writer): %v, want a read and the write", got)
	}
	if got := names(func() {
		if !step("reserved", "paid", 1) {
			t.Fatal("second step refused")
		}
	}); len(got) != 1 || got[0] != "findAndModify" {
		t.Errorf("second guarded write: %v, want the write alone", got)
	}
	if got := names(func() {
		if step("reserved", "paid", 1) {
			t.Fatal("a stale guard held")
		}
	}); len(got) != 1 || got[0] != "find" {
		t.Errorf("a guard that fails on the remembered document: %v, want it judged again on a read", got)
	}

	// A write outside the Writer (which the single-writer rule forbids for
	// guarded fields) is still seen by a guard that fails on the memory.
	if _, err := coll.UpdateOne(ctx, bson.M{"_id": "o1"}, bson.M{"$set": bson.M{"status": "shipped"}}); err != nil {
		t.Fatal(err)
	}
	if !step("shipped", "delivered", 2) {
		t.Error("a guard that holds on the stored document was refused on the remembered one")
	}

	if _, err := s.Writer.DeleteOne(ctx, coll, "o1", nil); err != nil {
		t.Fatal(err)
	}
	if step("delivered", "again", 3) {
		t.Error("a deleted document was updated")
	}

	// Inserted through the Writer, the document is known from the start.
	if err := s.Writer.InsertOne(ctx, coll, "o1", bson.M{"_id": "o1", "status": "placed", "version": 0}); err != nil {
		t.Fatal(err)
	}
	if got := names(func() {
		if !step("placed", "reserved", 0) {
			t.Fatal("first step after the Writer's insert refused")
		}
	}); len(got) != 1 || got[0] != "findAndModify" {
		t.Errorf("first guarded write after the Writer's insert: %v, want the write alone", got)
	}
	if err := s.Writer.InsertOne(ctx, coll, "o1", bson.M{"_id": "o1", "status": "other", "version": 9}); err == nil {
		t.Fatal("a duplicate insert succeeded")
	}
	if !step("reserved", "paid", 1) {
		t.Error("a failed duplicate insert changed what the Writer knows of the document")
	}
}
