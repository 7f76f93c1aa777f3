// Package logging builds the structured JSON logger every Mercato service
// uses, and carries the request id through contexts so that every record
// logged with a context (slog's *Context methods) names its request and,
// when the context holds an OpenTelemetry span, its trace.
package logging

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// New returns a JSON logger writing to w at level (debug, info, warn or
// error; anything else means info) whose records all carry service=<name>
// and, when logged with a context that holds them, request_id, trace_id and
// span_id.
func New(service, level string, w io.Writer) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: ParseLevel(level)})
	return slog.New(NewContextHandler(h)).With(slog.String("service", service))
}

// ParseLevel maps debug, info, warn and error (any case) to a slog.Level;
// anything else is info.
func ParseLevel(level string) slog.Level {
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ContextHandler wraps a slog.Handler and adds a request_id attribute to
// every record whose context carries a request id, and trace_id and span_id
// to every record whose context carries a valid span context.
type ContextHandler struct {
	next slog.Handler
}

// NewContextHandler wraps next.
func NewContextHandler(next slog.Handler) *ContextHandler {
	return &ContextHandler{next: next}
}

// Enabled reports whether the wrapped handler handles level.
func (h *ContextHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds request_id, trace_id and span_id from ctx, then hands the
// record on.
func (h *ContextHandler) Handle(ctx context.Context, r slog.Record) error {
	id := RequestID(ctx)
	var span trace.SpanContext
	if ctx != nil {
		span = trace.SpanContextFromContext(ctx)
	}
	if id == "" && !span.IsValid() {
		return h.next.Handle(ctx, r)
	}
	r = r.Clone()
	if id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if span.IsValid() {
		r.AddAttrs(slog.String("trace_id", span.TraceID().String()), slog.String("span_id", span.SpanID().String()))
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a ContextHandler around next.WithAttrs(attrs).
func (h *ContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &ContextHandler{next: h.next.WithAttrs(attrs)}
}

// WithGroup returns a ContextHandler around next.WithGroup(name).
func (h *ContextHandler) WithGroup(name string) slog.Handler {
	return &ContextHandler{next: h.next.WithGroup(name)}
}
