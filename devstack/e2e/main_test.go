// Package e2e holds the end-to-end tests of the shopper's journey: the
// whole suite runs as separate processes (the embedded default, started by
// devstack/stack) and the tests drive only the public API through the
// gateway. One stack serves every test of the package; each test makes its
// own shoppers, merchants and products, so tests do not see each other's
// data. Skipped with -short.
package e2e

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/stack"
	"github.com/mercato-shop/mercato/devstack/supervisor"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

var (
	suiteOnce  sync.Once
	suiteStack *stack.Stack
	suiteErr   error
	cleanups   []func()
	// fallbackEmulator is the Stripe emulator these tests run themselves
	// when the stack does not run one.
	fallbackEmulator *stripeemu.Emulator
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}

// suite returns the package's running stack, starting it on first use
// (the service binaries come from MERCATO_TEST_BIN_DIR or are built once).
func suite(t *testing.T) *stack.Stack {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: runs the whole suite as processes; skipped with -short")
	}
	suiteOnce.Do(func() { suiteStack, suiteErr = startSuite() })
	if suiteErr != nil {
		t.Fatal(suiteErr)
	}
	return suiteStack
}

func startSuite() (*stack.Stack, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	dataDir, err := os.MkdirTemp("", "mercato-e2e-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = os.RemoveAll(dataDir) })
	binDir := os.Getenv("MERCATO_TEST_BIN_DIR")
	if binDir == "" {
		root, err := stack.FindRepoRoot(".")
		if err != nil {
			return nil, err
		}
		binDir = filepath.Join(dataDir, "bin")
		if err := stack.Build(ctx, root, binDir); err != nil {
			return nil, err
		}
	}
	ports, err := servicePorts()
	if err != nil {
		return nil, err
	}
	if err := setServiceEnv(ports); err != nil {
		return nil, err
	}
	if err := startFallbackEmulator(ports); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dataDir, "stack.log"))
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = logFile.Close() })
	st, err := stack.Start(ctx, stack.Options{
		DataDir:    filepath.Join(dataDir, "data"),
		BinDir:     binDir,
		Ports:      stack.Ports{Services: ports},
		Logger:     slog.New(slog.NewTextHandler(logFile, nil)),
		Supervisor: supervisor.Options{GracePeriod: 10 * time.Second, MaxBackoff: time.Second},
	})
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = st.Close() })
	return st, nil
}

// servicePorts picks a free loopback port for every service.
func servicePorts() (map[string]int, error) {
	ports := map[string]int{}
	for _, s := range stack.Services {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ports[s.Name] = l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
	}
	return ports, nil
}

// setServiceEnv gives the service processes (which inherit this process's
// environment; the stack's own per-service entries win) the addresses of
// the services they call: the catalog for orders and the users service's
// JWKS for every token check. It is a fallback for what the stack's
// service table does not set yet.
func setServiceEnv(ports map[string]int) error {
	url := func(name string) string { return "http://127.0.0.1:" + strconv.Itoa(ports[name]) }
	for k, v := range map[string]string{
		"CATALOG_URL":   url("catalog"),
		"AUTH_JWKS_URL": url("users") + "/.well-known/jwks.json",
	} {
		if _, set := os.LookupEnv(k); set {
			continue
		}
		if err := os.Setenv(k, v); err != nil {
			return fmt.Errorf("set %s: %w", k, err)
		}
	}
	return nil
}

// startFallbackEmulator runs a Stripe emulator for the payments service
// when the stack offers none (see stripeActivity), and points payments at
// it through the inherited environment.
func startFallbackEmulator(ports map[string]int) error {
	if _, ok := any((*stack.Stack)(nil)).(emulatorAccessor); ok {
		return nil
	}
	if _, ok := any((*stack.Stack)(nil)).(emulatorURLer); ok {
		return nil
	}
	em, err := stripeemu.Start(stripeemu.Options{
		Addr:       "127.0.0.1:0",
		WebhookURL: "http://127.0.0.1:" + strconv.Itoa(ports[stack.Gateway]) + "/api/v1/payments/webhooks/stripe",
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return fmt.Errorf("stripe emulator: %w", err)
	}
	cleanups = append(cleanups, func() { _ = em.Close() })
	fallbackEmulator = em
	for k, v := range map[string]string{
		"STRIPE_API_URL":        em.URL(),
		"STRIPE_SECRET_KEY":     em.SecretKey(),
		"STRIPE_WEBHOOK_SECRET": em.WebhookSecret(),
	} {
		if err := os.Setenv(k, v); err != nil {
			return fmt.Errorf("set %s: %w", k, err)
		}
	}
	return nil
}
