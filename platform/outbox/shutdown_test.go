package outbox_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestRunFlushesNotifiedDocumentsOnShutdown: when Run's context ends with
// notifications pending, Run publishes them before it returns.
func TestRunFlushesNotifiedDocumentsOnShutdown(t *testing.T) {
	coll := newCollection(t)
	topic := newTopic(t, embeddedtest.KafkaAddr(), 1)
	relay := outbox.NewRelay(newWriter(t, embeddedtest.KafkaAddr()), outbox.RelayOptions{SweepInterval: time.Hour})
	appendEvent(t, coll, relay, topic, "o-1", "last-words")

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // already shutting down: only the final flush can publish
	relay.Run(ctx)

	if n := pendingEntries(t, coll); n != 0 {
		t.Fatalf("%d entries left after shutdown", n)
	}
	if got := payloads(readTopic(t, embeddedtest.KafkaAddr(), topic, 1)); !slices.Equal(got, []string{"last-words"}) {
		t.Fatalf("published %v", got)
	}
}

// TestMalformedEntryDoesNotBlockOthers: an entry without a topic stays in
// its document (it cannot be published) and other events still flow.
func TestMalformedEntryDoesNotBlockOthers(t *testing.T) {
	coll := newCollection(t)
	topic := newTopic(t, embeddedtest.KafkaAddr(), 1)
	relay := outbox.NewRelay(newWriter(t, embeddedtest.KafkaAddr()), outbox.RelayOptions{SweepInterval: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "bad", "outbox": bson.A{bson.M{"id": "x", "payload": "no topic"}}}); err != nil {
		t.Fatal(err)
	}
	relay.Notify(coll, "bad")
	appendEvent(t, coll, relay, topic, "good", "fine")
	if err := relay.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
	if n := pendingEntries(t, coll); n != 1 {
		t.Fatalf("%d entries left, want only the malformed one", n)
	}
	if got := payloads(readTopic(t, embeddedtest.KafkaAddr(), topic, 1)); !slices.Equal(got, []string{"fine"}) {
		t.Fatalf("published %v", got)
	}
}
