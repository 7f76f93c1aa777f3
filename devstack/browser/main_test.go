package browser_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/internal/seed"
	"github.com/mercato-shop/mercato/devstack/stack"
	"github.com/mercato-shop/mercato/devstack/supervisor"
)

// The suite is started once for the package and shared by its tests; each
// test makes its own accounts and products where it needs them.
var (
	suiteOnce   sync.Once
	suiteStack  *stack.Stack
	suiteBanner []string
	suiteErr    error
	suiteDirs   []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if suiteStack != nil {
		if err := suiteStack.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "closing the suite:", err)
		}
	}
	for _, d := range suiteDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

// chromiumPath finds the browser, or skips (fails under CI=true).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: runs the whole suite and Chromium; skipped with -short")
	}
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "Chromium is not installed: install it with `apt-get install chromium` (Debian) or set CHROMIUM_PATH"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// gateway starts the suite (once) with the demo data and returns the
// gateway's URL.
func gateway(t *testing.T) string {
	t.Helper()
	suiteOnce.Do(func() { suiteStack, suiteBanner, suiteErr = startSuite() })
	if suiteErr != nil {
		t.Fatal(suiteErr)
	}
	return suiteStack.GatewayURL()
}

func startSuite() (*stack.Stack, []string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	root, err := stack.FindRepoRoot(".")
	if err != nil {
		return nil, nil, err
	}
	binDir := os.Getenv("MERCATO_TEST_BIN_DIR")
	if binDir == "" {
		if binDir, err = os.MkdirTemp("", "mercato-browser-bin"); err != nil {
			return nil, nil, err
		}
		suiteDirs = append(suiteDirs, binDir)
		if err := stack.Build(ctx, root, binDir); err != nil {
			return nil, nil, err
		}
	}
	dataDir, err := os.MkdirTemp("", "mercato-browser-data")
	if err != nil {
		return nil, nil, err
	}
	suiteDirs = append(suiteDirs, dataDir)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := stack.Start(ctx, stack.Options{
		DataDir: dataDir, BinDir: binDir, Logger: logger,
		Supervisor: supervisor.Options{GracePeriod: 10 * time.Second},
	})
	if err != nil {
		return nil, nil, err
	}
	banner, err := seed.Run(ctx, st.GatewayURL())
	if err != nil {
		return st, nil, fmt.Errorf("seeding the demo data: %w (logs in %s)", err, st.LogDir())
	}
	return st, banner, nil
}

// artifactsDir is where screenshots go.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MERCATO_ARTIFACTS_DIR")
	if dir == "" {
		root, err := stack.FindRepoRoot(".")
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "artifacts")
	}
	dir = filepath.Join(dir, "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
