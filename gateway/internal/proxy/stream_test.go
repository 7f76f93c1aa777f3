package proxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// TestServerSentEventsStreamThrough checks that events arrive one by one,
// before the upstream ends the stream, and that neither the breaker's
// timeout nor the gateway server's read and write timeouts cut a stream
// that outlives them.
func TestServerSentEventsStreamThrough(t *testing.T) {
	const timeouts = 200 * time.Millisecond
	releases := []chan struct{}{make(chan struct{}), make(chan struct{})}
	orders := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i, release := range releases {
			fmt.Fprintf(w, "data: event-%d\n\n", i)
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		fmt.Fprint(w, "data: last\n\n")
	}))
	t.Cleanup(orders.Close)

	front := startGatewayServer(t, timeouts, breaker.Options{Timeout: timeouts}, map[string]string{Analytics: orders.URL})
	req, err := http.NewRequest(http.MethodGet, front+"/api/v1/merchant/analytics/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, ct)
	}
	events := bufio.NewReader(resp.Body)

	for i, release := range releases {
		if got := readEvent(t, events); got != fmt.Sprintf("event-%d", i) {
			t.Fatalf("event %d = %q", i, got)
		}
		// The event arrived while the upstream waits for the release: it
		// was streamed, not buffered. Let the timeouts pass before the
		// stream goes on; the elapsed time is what is under test.
		<-time.After(2 * timeouts)
		close(release)
	}
	if got := readEvent(t, events); got != "last" {
		t.Fatalf("last event = %q", got)
	}
	if rest, err := io.ReadAll(events); err != nil || len(rest) != 0 {
		t.Errorf("after the last event: %q, %v", rest, err)
	}
}

// readEvent reads one "data: x" event followed by a blank line.
func readEvent(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read event: %v", err)
	}
	if blank, err := r.ReadString('\n'); err != nil || blank != "\n" {
		t.Fatalf("event not terminated: %q, %v", blank, err)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, "data:"))
}

// startGatewayServer runs the gateway in a real httpserver.Server with the
// given read and write timeouts and returns its base URL.
func startGatewayServer(t *testing.T, timeouts time.Duration, breakerOpts breaker.Options, upstreams map[string]string) string {
	t.Helper()
	for _, name := range upstreamNames {
		if upstreams[name] == "" {
			upstreams[name] = newFakeUpstream(t, name).URL
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httpserver.New(httpserver.Options{
		Service: "gateway", Addr: "127.0.0.1:0", Logger: logger,
		ReadTimeout: timeouts, WriteTimeout: timeouts, ShutdownTimeout: time.Second,
	})
	gw, err := New(Options{Upstreams: upstreams, Logger: logger, BreakerOptions: breakerOpts})
	if err != nil {
		t.Fatal(err)
	}
	gw.Register(srv.Router())
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-stopped; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("server stop: %v", err)
		}
	})
	return "http://" + addr.String()
}
