package browser_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/internal/seed"
)

// TestSeedRunsAgainWithoutChanges: the suite was seeded at start; a second
// run logs in instead of registering and creates nothing.
func TestSeedRunsAgainWithoutChanges(t *testing.T) {
	chromiumPath(t) // the suite is started for the browser tests only
	base := gateway(t)
	if !strings.Contains(strings.Join(suiteBanner, "\n"), "60 products (60 new)") {
		t.Fatalf("first run banner: %q", suiteBanner)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	banner, err := seed.Run(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(banner, "\n"), "60 products (0 new)") {
		t.Fatalf("second run banner: %q", banner)
	}
	// The dashboards' day of history was sent once, on the first run.
	if !strings.Contains(strings.Join(suiteBanner, "\n"), "Dashboard history") || strings.Contains(strings.Join(banner, "\n"), "Dashboard history") {
		t.Fatalf("history: first run %q, second run %q", suiteBanner, banner)
	}
}
