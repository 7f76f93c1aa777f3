package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// recordingNotifier records the documents it is told about.
type recordingNotifier struct {
	mu       sync.Mutex
	notified []any
	written  []any
}

func (r *recordingNotifier) Watch(...*mongo.Collection) {}

func (r *recordingNotifier) Notify(_ *mongo.Collection, id any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notified = append(r.notified, id)
}

func (r *recordingNotifier) Written(_ *mongo.Collection, id any, _ []bson.Raw) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.written = append(r.written, id)
}

func (r *recordingNotifier) told() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.notified) + len(r.written)
}

// TestFailedWriteStillNotifiesTheRelay: a write with entries that fails
// may have been applied (its answer lost when the store's connection was
// cut; the chaos suite saw an order paid whose order.paid event was never
// published), and its retry finds nothing to change, so the failed write
// itself tells the relay to look at the document. A duplicate key, which
// applied nothing, does not.
func TestFailedWriteStillNotifiesTheRelay(t *testing.T) {
	coll := newCollection(t)
	w := mongodb.NewWriter(false)
	entry := outbox.NewEntry("orders.events", "o-1", []byte("paid"), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := outbox.Insert(ctx, w, outbox.Discard, coll, "o-1", bson.M{"_id": "o-1", "status": "awaiting_payment"}, nil); err != nil {
		t.Fatal(err)
	}

	failed, stop := context.WithCancel(ctx)
	stop() // the write fails without an answer
	n := &recordingNotifier{}
	if _, err := outbox.Update(failed, w, n, coll, "o-1", bson.M{"status": "awaiting_payment"}, bson.M{"$set": bson.M{"status": "paid"}}, []outbox.Entry{entry}); err == nil {
		t.Fatal("update with a cancelled context succeeded")
	}
	if len(n.notified) != 1 || n.notified[0] != "o-1" {
		t.Fatalf("failed update notified %v, want [o-1]", n.notified)
	}

	n = &recordingNotifier{}
	if err := outbox.Insert(failed, w, n, coll, "o-2", bson.M{"_id": "o-2"}, []outbox.Entry{entry}); err == nil {
		t.Fatal("insert with a cancelled context succeeded")
	}
	if len(n.notified) != 1 || n.notified[0] != "o-2" {
		t.Fatalf("failed insert notified %v, want [o-2]", n.notified)
	}

	n = &recordingNotifier{}
	if err := outbox.Insert(ctx, w, n, coll, "o-1", bson.M{"_id": "o-1"}, []outbox.Entry{entry}); !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("insert of an existing id: %v, want a duplicate key", err)
	}
	if n.told() != 0 {
		t.Fatalf("a duplicate key notified %v %v", n.notified, n.written)
	}
}
