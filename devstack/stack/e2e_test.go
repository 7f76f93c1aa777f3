package stack_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/stack"
	"github.com/mercato-shop/mercato/devstack/supervisor"
)

// The end-to-end tests run the whole suite as processes. The service
// binaries are built once per test run, or taken prebuilt from the folder
// named by MERCATO_TEST_BIN_DIR (e.g. CI's `make build` output).
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binaries builds every service once and returns the folder.
func binaries(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: runs the whole suite as processes; skipped with -short")
	}
	if dir := os.Getenv("MERCATO_TEST_BIN_DIR"); dir != "" {
		return dir
	}
	buildOnce.Do(func() {
		root, err := stack.FindRepoRoot(".")
		if err != nil {
			buildErr = err
			return
		}
		if binDir, buildErr = os.MkdirTemp("", "mercato-bin"); buildErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		buildErr = stack.Build(ctx, root, binDir)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

// startStack starts the suite on free ports in dataDir; it is closed when
// the test ends.
func startStack(t *testing.T, dataDir string) *stack.Stack {
	t.Helper()
	bin := binaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, err := stack.Start(ctx, stack.Options{
		DataDir:    dataDir,
		BinDir:     bin,
		Logger:     slog.New(slog.NewTextHandler(t.Output(), nil)),
		Supervisor: supervisor.Options{GracePeriod: 10 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return st
}

var probeClient = &http.Client{Timeout: time.Second}

// readyz returns nil when GET <url>/readyz answers 200.
func readyz(url string) error {
	resp, err := probeClient.Get(url + "/readyz")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// watchOthers polls /readyz of every service but victim every 50 ms until
// the returned function is called, which returns every failed answer.
func watchOthers(st *stack.Stack, victim string) (stop func() []string) {
	done := make(chan struct{})
	var failures []string
	var wg sync.WaitGroup
	begin := time.Now()
	wg.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, s := range stack.Services {
				if s.Name == victim {
					continue
				}
				if err := readyz(st.ServiceURL(s.Name)); err != nil {
					failures = append(failures, fmt.Sprintf("%s /readyz at +%s: %v", s.Name, time.Since(begin).Round(time.Millisecond), err))
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() []string {
		close(done)
		wg.Wait()
		return failures
	}
}

// waitBack polls until victim runs with a new pid and answers /readyz 200
// itself, within limit.
func waitBack(t *testing.T, st *stack.Stack, victim string, oldPID int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		s, _ := st.Supervisor().StatusOf(victim)
		if s.PID != oldPID && s.Ready && readyz(st.ServiceURL(victim)) == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not back and ready within %s: %+v; end of %s:\n%s", victim, limit, s, st.LogPath(victim), tailLog(st.LogPath(victim)))
		}
		time.Sleep(50 * time.Millisecond) // poll interval, not synchronisation
	}
}

func tailLog(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return string(b[max(len(b)-2000, 0):])
}

func waitAllReady(t *testing.T, st *stack.Stack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := st.Supervisor().WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestKilledServiceComesBackWhileTheOthersKeepServing(t *testing.T) {
	st := startStack(t, t.TempDir())
	for _, s := range stack.Services {
		if err := readyz(st.ServiceURL(s.Name)); err != nil {
			t.Fatalf("%s at %s: %v", s.Name, st.ServiceURL(s.Name), err)
		}
	}
	for _, victim := range stack.Services {
		t.Run("SIGKILL "+victim.Name, func(t *testing.T) {
			waitAllReady(t, st)
			before, _ := st.Supervisor().StatusOf(victim.Name)
			stop := watchOthers(st, victim.Name)
			if err := syscall.Kill(before.PID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			waitBack(t, st, victim.Name, before.PID, 5*time.Second)
			for _, f := range stop() {
				t.Error(f)
			}
			if after, _ := st.Supervisor().StatusOf(victim.Name); after.Restarts != before.Restarts+1 {
				t.Errorf("restarts of %s = %d, want %d", victim.Name, after.Restarts, before.Restarts+1)
			}
		})
	}
}

func TestGracefulRestartOfOneServiceKeepsTheOthersServing(t *testing.T) {
	st := startStack(t, t.TempDir())
	const victim = "orders"
	before, _ := st.Supervisor().StatusOf(victim)
	stop := watchOthers(st, victim)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := st.Supervisor().Restart(ctx, victim); err != nil {
		t.Fatal(err)
	}
	waitBack(t, st, victim, before.PID, 5*time.Second)
	for _, f := range stop() {
		t.Error(f)
	}
	if after, _ := st.Supervisor().StatusOf(victim); after.LastExit != "exit status 0" {
		t.Errorf("%s ended with %q, want a graceful exit status 0", victim, after.LastExit)
	}
}
