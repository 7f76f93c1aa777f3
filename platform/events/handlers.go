package events

import (
	"context"
	"fmt"
)

// Handlers dispatches consumed events to typed handlers by event type. Its
// Handle method parses the CloudEvents envelope, ignores types that have no
// handler (docs/events.md: a consumer ignores types it does not know), and
// decodes the data into the handler's type. A message that cannot be parsed
// or decoded is reported through the permanent callback given to New, so the
// transport can dead-letter it instead of retrying.
type Handlers struct {
	byType    map[string]func(ctx context.Context, env Envelope) error
	permanent func(error) error
}

// NewHandlers returns an empty dispatcher. permanent marks an error as not
// worth retrying (kafka.Permanent); nil leaves errors as they are.
func NewHandlers(permanent func(error) error) *Handlers {
	if permanent == nil {
		permanent = func(err error) error { return err }
	}
	return &Handlers{byType: map[string]func(context.Context, Envelope) error{}, permanent: permanent}
}

// On registers the handler of one event type; T is the type's data struct.
func On[T any](h *Handlers, eventType string, handle func(ctx context.Context, env Envelope, data T) error) {
	h.byType[eventType] = func(ctx context.Context, env Envelope) error {
		var data T
		if err := env.Decode(&data); err != nil {
			return h.permanent(fmt.Errorf("decode %s %s: %w", env.Type, env.ID, err))
		}
		return handle(ctx, env, data)
	}
}

// Handle parses payload and runs the handler of its type, if any.
func (h *Handlers) Handle(ctx context.Context, payload []byte) error {
	env, err := Parse(payload)
	if err != nil {
		return h.permanent(fmt.Errorf("parse event: %w", err))
	}
	handle, ok := h.byType[env.Type]
	if !ok {
		return nil
	}
	return handle(ctx, env)
}
