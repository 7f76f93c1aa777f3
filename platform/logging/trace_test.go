package logging

import (
	"bytes"
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

func TestRecordsCarryTheTraceOfTheirContext(t *testing.T) {
	var buf bytes.Buffer
	logger := New("catalog", "info", &buf)
	span := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	traced := trace.ContextWithSpanContext(context.Background(), span)

	logger.InfoContext(traced, "traced")
	logger.InfoContext(WithRequestID(traced, "req-7"), "traced request")
	logger.InfoContext(context.Background(), "untraced")

	lines := decodeLines(t, &buf)
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %s", len(lines), buf.String())
	}
	for i, l := range lines[:2] {
		if l["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || l["span_id"] != "00f067aa0ba902b7" {
			t.Errorf("line %d trace_id, span_id = %v, %v", i, l["trace_id"], l["span_id"])
		}
	}
	if lines[1]["request_id"] != "req-7" {
		t.Errorf("traced request lost its request_id: %v", lines[1])
	}
	if _, ok := lines[2]["trace_id"]; ok {
		t.Errorf("record without a span has trace_id: %v", lines[2])
	}
}
