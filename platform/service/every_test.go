package service_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/service"
)

// TestEveryDoesNotRunAtOnce: with a long interval, a cancelled Every
// returns without having run fn.
func TestEveryDoesNotRunAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		service.Every(ctx, time.Hour, slog.New(slog.DiscardHandler), "never", func(context.Context) error { runs++; return nil })
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Every did not return after its context ended")
	}
	if runs != 0 {
		t.Fatalf("fn ran %d times, want 0", runs)
	}
}

// TestEveryRunsRepeatedlyAndLogsFailuresUntilShutdown: fn runs again after
// a failure, the failure is logged with the name, and an error after the
// context ended is not logged.
func TestEveryRunsRepeatedlyAndLogsFailuresUntilShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	runs := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		service.Every(ctx, time.Millisecond, logger, "test sweep", func(ctx context.Context) error {
			runs++
			switch runs {
			case 1:
				return errors.New("boom")
			case 3:
				cancel()
			}
			if ctx.Err() != nil {
				return ctx.Err() // cut short by shutdown: not logged
			}
			return nil
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Every did not return; fn ran %d times", runs)
	}
	if runs < 3 {
		t.Fatalf("fn ran %d times, want at least 3", runs)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `msg="test sweep failed"`) || !strings.Contains(lines[0], "error=boom") ||
		!strings.Contains(lines[0], "level=WARN") {
		t.Fatalf("logged %q, want one warning about boom", logs.String())
	}
}
