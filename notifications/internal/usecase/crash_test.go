package usecase_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/store"
	"github.com/mercato-shop/mercato/notifications/internal/testenv"
	"github.com/mercato-shop/mercato/notifications/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// A worker that died holding an email's lease leaves it queued; another
// sends it once the lease expires, exactly once. It is also what a process
// leaves that queued an email leased to itself (Store.Enqueue) and died
// before handing it to its worker.
func TestAnEmailLeasedByACrashedWorkerIsSentAfterTheLease(t *testing.T) {
	env := testenv.New(t, usecase.Options{})
	ctx := context.Background()
	user := embeddedtest.UniqueName("u")
	if err := env.Store.SaveContact(ctx, domain.Contact{ID: user, Email: user + "@shop.test", Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	id := domain.NotificationID("e-crash", user, domain.KindWelcome)
	// What the crashed worker left: the email queued, its lease 1 s long.
	if _, err := env.DB.Write.Collection(store.NotificationsCollection).InsertOne(ctx, bson.M{"_id": id, "event_id": "e-crash",
		"kind": domain.KindWelcome, "recipient_id": user, "status": domain.StatusQueued, "attempts": 1,
		"created_at": now, "next_try_at": now}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Write.Collection(store.QueueCollection).InsertOne(ctx, bson.M{"_id": store.QueueNotification + ":" + id,
		"kind": store.QueueNotification, "ref": id, "next_try_at": now, "lease_until": now.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	sent := settled(t, env.Store, "e-crash", user, domain.KindWelcome)
	if sent.Status != domain.StatusSent || time.Since(now) < time.Second {
		t.Fatalf("%s after %s, want sent once the 1 s lease expired", sent.Status, time.Since(now))
	}
	if got := mailTo(t, env.Sink, user+"@shop.test"); len(got) != 1 {
		t.Errorf("%d emails, want 1", len(got))
	}
}

// A crash between a notification's insert and its queue entry is repaired
// by the event's redelivery: the existing notification is queued again,
// and sent once.
func TestARedeliveredEventQueuesANotificationACrashLeftUnqueued(t *testing.T) {
	env := testenv.New(t, usecase.Options{})
	ctx := context.Background()
	user := embeddedtest.UniqueName("u")
	c := domain.Contact{ID: user, Email: user + "@shop.test", Name: "Ada"}
	if err := env.Store.SaveContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	id := domain.NotificationID("e-gap", user, domain.KindWelcome)
	now := time.Now()
	doc := bson.M{"_id": id, "event_id": "e-gap", "kind": domain.KindWelcome, "recipient_id": user, "status": domain.StatusQueued,
		"attempts": 0, "created_at": now, "next_try_at": now}
	if _, err := env.DB.Write.Collection(store.NotificationsCollection).InsertOne(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if err := env.Svc.UserRegistered(ctx, "e-gap", c); err != nil {
		t.Fatal(err)
	}
	if n := settled(t, env.Store, "e-gap", user, domain.KindWelcome); n.Status != domain.StatusSent {
		t.Fatalf("%s %s", n.Status, n.LastError)
	}
	if err := env.Svc.UserRegistered(ctx, "e-gap", c); err != nil { // and once more, after the send
		t.Fatal(err)
	}
	queueEmpty(t, env.Store)
	if got := mailTo(t, env.Sink, user+"@shop.test"); len(got) != 1 {
		t.Errorf("%d emails, want 1", len(got))
	}
}

// A redelivered event finds its email queued and leased to the worker that
// queued it: the redelivery must leave the lease alone, or a second worker
// (or the sweep) sends the email while the first is sending it. Seen as a
// second "new paid order" email to a merchant.
func TestARedeliveryLeavesTheLeaseOfAQueuedEmail(t *testing.T) {
	st := store.New(embeddedtest.Database(t, config.Mongo{}))
	ctx := context.Background()
	now := time.Now().UTC()
	n := domain.Notification{ID: domain.NotificationID("e-lease", "u-lease", domain.KindWelcome), EventID: "e-lease",
		Kind: domain.KindWelcome, RecipientID: "u-lease", CreatedAt: now, NextTryAt: now}
	if fresh, err := st.Enqueue(ctx, n, now.Add(time.Minute)); err != nil || !fresh {
		t.Fatalf("first enqueue: fresh %v, %v", fresh, err)
	}
	if fresh, err := st.Enqueue(ctx, n, time.Time{}); err != nil || fresh {
		t.Fatalf("redelivery: fresh %v, %v", fresh, err)
	}
	if ok, err := st.Claim(ctx, store.QueueNotification, n.ID, now.Add(time.Second), time.Minute); err != nil || ok {
		t.Fatalf("claimed during the first worker's lease (%v): the redelivery freed it", err)
	}
	if ok, err := st.Claim(ctx, store.QueueNotification, n.ID, now.Add(2*time.Minute), time.Minute); err != nil || !ok {
		t.Fatalf("not claimable once the lease expired: %v %v", ok, err)
	}
}
