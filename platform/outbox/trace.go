package outbox

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// TraceHeaders returns the trace context of ctx (the W3C traceparent and, if
// any, tracestate) as Kafka headers, or nil when ctx carries no span or no
// propagator is installed (see platform/tracing).
func TraceHeaders(ctx context.Context) map[string]string {
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	if len(carrier) == 0 {
		return nil
	}
	return carrier
}
