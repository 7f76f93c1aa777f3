package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPprofServesOnLoopbackOnly(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	if addr, err := servePprof(ctx, "", logger); addr != nil || err != nil {
		t.Fatalf("empty PPROF_ADDR must serve nothing, got %v, %v", addr, err)
	}
	for _, addr := range []string{"0.0.0.0:0", ":0", "10.1.2.3:0", "nonsense"} {
		if _, err := servePprof(ctx, addr, logger); err == nil {
			t.Errorf("PPROF_ADDR %q accepted; only loopback addresses may serve profiles", addr)
		}
	}

	addr, err := servePprof(ctx, "127.0.0.1:0", logger)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr.String() + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "gateway") {
		t.Fatalf("cmdline: %d %q", resp.StatusCode, body)
	}
}
