package outbox_test

import (
	"context"
	"testing"

	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
)

func TestNewEventKeysTheEntryByItsAggregate(t *testing.T) {
	entry, err := outbox.NewEvent(context.Background(), events.TopicOrders, events.SourceOrders, events.TypeOrderPaid, "order-7", events.OrderPaid{OrderID: "order-7"})
	if err != nil {
		t.Fatal(err)
	}
	if entry.Topic != events.TopicOrders || entry.Key != "order-7" {
		t.Fatalf("entry = %+v, want topic orders.events and key order-7", entry)
	}
	env, err := events.Parse([]byte(entry.Payload))
	if err != nil {
		t.Fatal(err)
	}
	var paid events.OrderPaid
	if err := env.Decode(&paid); err != nil || paid.OrderID != "order-7" || env.Type != events.TypeOrderPaid {
		t.Fatalf("payload decodes to %+v (%v), type %s", paid, err, env.Type)
	}
}
