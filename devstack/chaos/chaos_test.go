package chaos_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/chaos"
)

// TestShortProfileLosesNothing runs the short profile on an own stack:
// every fault of one round under four shoppers, then the audit. It asserts
// 0 lost, 0 stuck, 0 double charges, 0 cancelled orders keeping money,
// exact stock and a drain under 30 s; the report is logged on failure.
// The binaries come from MERCATO_TEST_BIN_DIR or are built first.
func TestShortProfileLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos: runs the whole suite as processes for about two minutes; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 9*time.Minute)
	defer cancel()
	rep, err := chaos.Run(ctx, chaos.Options{Profile: chaos.ShortProfile(), BinDir: os.Getenv("MERCATO_TEST_BIN_DIR"), Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || testing.Verbose() {
		t.Log(rep.Text())
	}
	if !rep.OK() {
		for _, v := range rep.Violations {
			t.Error(v)
		}
	}
	if rep.Audit.Accepted < 20 {
		t.Errorf("only %d orders accepted: the load did not run", rep.Audit.Accepted)
	}
	if len(rep.Faults) != len(chaos.StandardFaults()) {
		t.Errorf("%d faults ran, want %d", len(rep.Faults), len(chaos.StandardFaults()))
	}
}

// testWriter sends progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
