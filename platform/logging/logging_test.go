package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestNewWritesJSONWithServiceAndRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := New("orders", "info", &buf)
	ctx := WithRequestID(context.Background(), "req-42")

	logger.InfoContext(ctx, "placed", "order_id", "o1")
	logger.Info("no context")
	logger.With("component", "relay").WarnContext(ctx, "derived logger")

	lines := decodeLines(t, &buf)
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %s", len(lines), buf.String())
	}
	for i, l := range lines {
		if l["service"] != "orders" {
			t.Errorf("line %d service = %v, want orders", i, l["service"])
		}
	}
	if lines[0]["request_id"] != "req-42" || lines[0]["order_id"] != "o1" || lines[0]["msg"] != "placed" {
		t.Errorf("line 0 = %v", lines[0])
	}
	if _, ok := lines[1]["request_id"]; ok {
		t.Errorf("record without a request context has request_id: %v", lines[1])
	}
	if lines[2]["request_id"] != "req-42" || lines[2]["component"] != "relay" {
		t.Errorf("derived logger lost attributes: %v", lines[2])
	}
}

func TestNewHonoursLevel(t *testing.T) {
	var buf bytes.Buffer
	logger := New("users", "warn", &buf)
	logger.Info("dropped")
	logger.Warn("kept")
	lines := decodeLines(t, &buf)
	if len(lines) != 1 || lines[0]["msg"] != "kept" {
		t.Fatalf("lines = %v, want only the warning", lines)
	}
}

func TestParseLevel(t *testing.T) {
	cases := map[string]slog.Level{
		"debug": slog.LevelDebug, "INFO": slog.LevelInfo, "warn": slog.LevelWarn,
		"error": slog.LevelError, "": slog.LevelInfo, "bogus": slog.LevelInfo,
	}
	for in, want := range cases {
		if got := ParseLevel(in); got != want {
			t.Errorf("ParseLevel(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestRequestIDRoundTrip(t *testing.T) {
	if got := RequestID(context.Background()); got != "" {
		t.Errorf("empty context gave %q", got)
	}
	if got := RequestID(WithRequestID(context.Background(), "abc")); got != "abc" {
		t.Errorf("RequestID = %q, want abc", got)
	}
}
