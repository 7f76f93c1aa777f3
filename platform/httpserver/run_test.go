package httpserver

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

type slowResult struct {
	status int
	body   string
	err    error
}

// startSlow runs s, sends GET /slow and waits until its handler is blocked
// on release.
func startSlow(t *testing.T, s *Server, release <-chan struct{}) (cancel context.CancelFunc, runErr <-chan error, slow <-chan slowResult, addr string) {
	t.Helper()
	entered := make(chan struct{})
	s.Router().GET("/slow", func(c *gin.Context) {
		close(entered)
		<-release
		c.String(http.StatusOK, "done")
	})
	bound, err := s.Listen()
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	addr = bound.String()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	runDone := make(chan error, 1)
	go func() { runDone <- s.Run(ctx) }()

	slowDone := make(chan slowResult, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			slowDone <- slowResult{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		slowDone <- slowResult{status: resp.StatusCode, body: string(body), err: err}
	}()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("slow handler never started")
	}
	return cancel, runDone, slowDone, addr
}

// waitRefused polls until a new connection to addr is refused.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		_ = conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections still accepted after shutdown began")
		}
		<-tick.C
	}
}

func TestRunDrainsInFlightRequestAndRefusesNewConnections(t *testing.T) {
	s, _ := newTestServer(t, Options{Addr: "127.0.0.1:0", ShutdownTimeout: 10 * time.Second})
	release := make(chan struct{})
	cancel, runErr, slow, addr := startSlow(t, s, release)

	cancel()
	waitRefused(t, addr)
	if !s.Health().Draining() {
		t.Error("server not marked draining during shutdown")
	}
	select {
	case err := <-runErr:
		t.Fatalf("Run returned (%v) while a request was in flight", err)
	default:
	}

	close(release)
	select {
	case r := <-slow:
		if r.err != nil || r.status != http.StatusOK || r.body != "done" {
			t.Errorf("in-flight request = %d %q %v, want 200 done", r.status, r.body, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("in-flight request never completed")
	}
	select {
	case err := <-runErr:
		if err != nil {
			t.Errorf("Run = %v, want nil after a clean drain", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the drain")
	}
}

func TestRunReportsADrainThatTimesOut(t *testing.T) {
	s, _ := newTestServer(t, Options{Addr: "127.0.0.1:0", ShutdownTimeout: 50 * time.Millisecond})
	release := make(chan struct{})
	defer close(release)
	cancel, runErr, _, _ := startSlow(t, s, release)

	cancel()
	select {
	case err := <-runErr:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Run = %v, want a shutdown deadline error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not give up after the shutdown timeout")
	}
}

func TestListenPicksAFreePortOnceAndReportsBusyAddress(t *testing.T) {
	s, _ := newTestServer(t, Options{Addr: "127.0.0.1:0"})
	first, err := s.Listen()
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	if first.(*net.TCPAddr).Port == 0 {
		t.Fatal("Listen returned port 0")
	}
	again, err := s.Listen()
	if err != nil || again.String() != first.String() {
		t.Errorf("second Listen = %v %v, want %v", again, err, first)
	}

	busy, _ := newTestServer(t, Options{Addr: first.String()})
	if err := busy.Run(context.Background()); err == nil {
		t.Error("Run on a busy address succeeded")
	}
	s.mu.Lock()
	_ = s.listener.Close()
	s.mu.Unlock()
}
