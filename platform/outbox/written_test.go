package outbox_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// manyHeaders has enough keys that Go's random map order would encode them
// differently from one marshal to the next.
func manyHeaders(seq string) map[string]string {
	h := map[string]string{"seq": seq}
	for i := range 8 {
		h[fmt.Sprintf("h%d", i)] = fmt.Sprint(i)
	}
	return h
}

// TestEntryEncodesTheSameBytesEveryTime: $pullAll removes by whole-element
// equality, so an entry must encode identically however its headers map
// iterates.
func TestEntryEncodesTheSameBytesEveryTime(t *testing.T) {
	e := outbox.NewEntry("t", "k", []byte("p"), manyHeaders("1"))
	first, err := bson.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		again, err := bson.Marshal(bson.M{"x": []outbox.Entry{e}})
		if err != nil {
			t.Fatal(err)
		}
		elem := bson.Raw(again).Lookup("x", "0").Document()
		if !bytes.Equal(elem, first) {
			t.Fatalf("entry encoded as %v, then as %v", bson.Raw(first), elem)
		}
	}
	var back outbox.Entry
	if err := bson.Unmarshal(first, &back); err != nil || back.ID != e.ID || back.Headers["h7"] != "7" || !back.CreatedAt.Equal(e.CreatedAt) {
		t.Fatalf("decoded %+v (%v), want %+v", back, err, e)
	}
}

// countLoads counts the finds by _id (the relay's load) on collection name
// while the test runs.
func countLoads(t *testing.T, name string) *atomic.Int64 {
	var n atomic.Int64
	stop := mongodb.ObserveCommands(func(e *event.CommandStartedEvent) {
		if e.CommandName != "find" || e.Command.Lookup("find").StringValue() != name {
			return
		}
		if _, err := e.Command.LookupErr("filter", "_id"); err == nil {
			n.Add(1)
		}
	})
	t.Cleanup(stop)
	return &n
}

// TestWrittenDocumentsArePublishedWithoutALoad: what Insert and Update
// report is published in order and removed exactly, and the relay never
// reads the document back.
func TestWrittenDocumentsArePublishedWithoutALoad(t *testing.T) {
	store := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 2})
	coll := store.Write.Collection(embeddedtest.UniqueName("orders"))
	topic := newTopic(t, embeddedtest.KafkaAddr(), 1)
	relay := outbox.NewRelay(newWriter(t, embeddedtest.KafkaAddr()), outbox.RelayOptions{})
	// Not watched, so the start-up sweep (which loads) cannot race the
	// writes: Written registers the collection itself.
	loads := countLoads(t, coll.Name())
	startRelay(t, relay)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	placed := outbox.NewEntry(topic, "o-1", []byte("placed"), manyHeaders("1"))
	if err := outbox.Insert(ctx, store.Writer, relay, coll, "o-1", bson.M{"_id": "o-1", "status": "pending", outbox.Field: []outbox.Entry{placed}}, []outbox.Entry{placed}); err != nil {
		t.Fatal(err)
	}
	for i, status := range []string{"reserved", "paid"} {
		e := outbox.NewEntry(topic, "o-1", []byte(status), manyHeaders(fmt.Sprint(i+2)))
		ok, err := outbox.Update(ctx, store.Writer, relay, coll, "o-1", nil, bson.M{"$set": bson.M{"status": status}}, []outbox.Entry{e})
		if err != nil || !ok {
			t.Fatalf("update to %s: %v %v", status, ok, err)
		}
	}
	eventually(t, 20*time.Second, "the outbox to empty", func() bool { return pendingEntries(t, coll) == 0 })
	got := payloads(readTopic(t, embeddedtest.KafkaAddr(), topic, 1))
	if fmt.Sprint(got) != "[placed reserved paid]" {
		t.Fatalf("published %v, want [placed reserved paid] once each", got)
	}
	if n := loads.Load(); n > 0 {
		t.Fatalf("the relay loaded the written document %d times; what the writes reported must suffice", n)
	}
}

// TestConcurrentWrittenUpdatesArePublishedOnceInOrder: writers append to
// two documents through Update while the relay publishes and removes in
// small rounds. A write often reports entries the relay is publishing at
// that moment; they must not be published again, and nothing is lost or
// reordered.
func TestConcurrentWrittenUpdatesArePublishedOnceInOrder(t *testing.T) {
	store := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 2})
	coll := store.Write.Collection(embeddedtest.UniqueName("orders"))
	topic := newTopic(t, embeddedtest.KafkaAddr(), 3)
	relay := outbox.NewRelay(newWriter(t, embeddedtest.KafkaAddr()), outbox.RelayOptions{BatchSize: 2})
	startRelay(t, relay)

	const writers, perWriter = 4, 25
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for d := range 2 {
		if _, err := coll.InsertOne(ctx, bson.M{"_id": fmt.Sprint("doc-", d)}); err != nil {
			t.Fatal(err)
		}
	}
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			id := fmt.Sprint("doc-", w%2)
			for i := range perWriter {
				seq := fmt.Sprintf("w%d-%02d", w, i)
				e := outbox.NewEntry(topic, id, []byte(seq), manyHeaders(seq))
				update := bson.M{"$set": bson.M{"last": seq}}
				if _, err := outbox.Update(ctx, store.Writer, relay, coll, id, nil, update, []outbox.Entry{e}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 30*time.Second, "outboxes to empty", func() bool { return pendingEntries(t, coll) == 0 })

	msgs := readTopic(t, embeddedtest.KafkaAddr(), topic, 3)
	if len(msgs) != writers*perWriter {
		t.Fatalf("published %d messages, want %d exactly once each", len(msgs), writers*perWriter)
	}
	last := map[int]int{}
	for _, m := range msgs {
		var w, i int
		if _, err := fmt.Sscanf(m.Payload, "w%d-%d", &w, &i); err != nil {
			t.Fatalf("payload %q: %v", m.Payload, err)
		}
		if prev, ok := last[w]; ok && i != prev+1 || !ok && i != 0 {
			t.Fatalf("writer %d: %s after %d (lost, duplicated or reordered)", w, m.Payload, prev)
		}
		last[w] = i
	}
}
