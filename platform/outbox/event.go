package outbox

import (
	"context"
	"fmt"

	"github.com/mercato-shop/mercato/platform/events"
)

// EventEntry builds the outbox entry of a CloudEvents envelope: the event's
// subject (its aggregate id) is the Kafka key, so one aggregate's events stay
// in order.
func EventEntry(topic string, env events.Envelope) (Entry, error) {
	payload, err := env.Marshal()
	if err != nil {
		return Entry{}, fmt.Errorf("outbox entry for %s: %w", env.Type, err)
	}
	return NewEntry(topic, env.Subject, payload, nil), nil
}

// NewEvent creates the envelope of an event written under ctx and its
// outbox entry in one step. The entry's headers carry ctx's trace context
// (TraceHeaders), so the trace goes on through Kafka to the consumers
// (docs/events.md); there is deliberately no variant without ctx.
func NewEvent(ctx context.Context, topic, source, eventType, subject string, data any) (Entry, error) {
	env, err := events.New(source, eventType, subject, data)
	if err != nil {
		return Entry{}, fmt.Errorf("event %s: %w", eventType, err)
	}
	entry, err := EventEntry(topic, env)
	if err != nil {
		return Entry{}, err
	}
	entry.Headers = TraceHeaders(ctx)
	return entry, nil
}
