package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeBin is the test stand-in service built from testdata/fakesvc.
var fakeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fakesvc")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fakeBin = filepath.Join(dir, "fakesvc")
	if out, err := exec.Command("go", "build", "-o", fakeBin, "./testdata/fakesvc").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build fakesvc: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// newSupervisor returns a supervisor with fast test timings, stopped when
// the test ends.
func newSupervisor(t *testing.T, opts Options) *Supervisor {
	t.Helper()
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	if opts.MinBackoff == 0 {
		opts.MinBackoff = 20 * time.Millisecond
	}
	if opts.GracePeriod == 0 {
		opts.GracePeriod = 5 * time.Second
	}
	s := New(opts)
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

// fakeSpec describes a fakesvc on a free port; the returned path is its
// event log.
func fakeSpec(t *testing.T, name string, env ...string) (Spec, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	logPath := filepath.Join(t.TempDir(), name+".events")
	return Spec{
		Name:     name,
		Path:     fakeBin,
		Env:      append([]string{"HTTP_ADDR=" + addr, "FAKE_LOG=" + logPath}, env...),
		ReadyURL: "http://" + addr + "/readyz",
		Output:   t.Output(),
	}, logPath
}

func startAll(t *testing.T, s *Supervisor, specs ...Spec) {
	t.Helper()
	for _, sp := range specs {
		if err := s.Start(sp); err != nil {
			t.Fatal(err)
		}
	}
}

type event struct {
	kind string
	pid  int
	at   time.Time
}

// events reads the fake's event log.
func events(t *testing.T, path string) []event {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []event
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue // a line being written
		}
		pid, _ := strconv.Atoi(f[1])
		ns, _ := strconv.ParseInt(f[2], 10, 64)
		out = append(out, event{kind: f[0], pid: pid, at: time.Unix(0, ns)})
	}
	return out
}

func hasEvent(evs []event, kind string, pid int) bool {
	for _, e := range evs {
		if e.kind == kind && e.pid == pid {
			return true
		}
	}
	return false
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond) // poll interval, not synchronisation
	}
}

func waitReady(t *testing.T, s *Supervisor, names ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.WaitReady(ctx, names...); err != nil {
		t.Fatal(err)
	}
}

func status(t *testing.T, s *Supervisor, name string) Status {
	t.Helper()
	st, ok := s.StatusOf(name)
	if !ok {
		t.Fatalf("no status for %s", name)
	}
	return st
}

func TestCrashedProcessIsRestartedAndReadyAgain(t *testing.T) {
	s := newSupervisor(t, Options{})
	a, _ := fakeSpec(t, "a")
	b, _ := fakeSpec(t, "b")
	startAll(t, s, a, b)
	waitReady(t, s)
	before, otherBefore := status(t, s, "a"), status(t, s, "b")
	if pgid, err := syscall.Getpgid(before.PID); err != nil || pgid != before.PID {
		t.Fatalf("process group of %d = %d, %v; want its own group", before.PID, pgid, err)
	}

	if err := syscall.Kill(before.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "a restarted and ready", func() bool {
		st := status(t, s, "a")
		return st.Ready && st.PID != before.PID && st.Restarts == 1
	})
	if got := status(t, s, "a").LastExit; got != "signal: killed" {
		t.Errorf("LastExit = %q, want signal: killed", got)
	}
	if other := status(t, s, "b"); other.PID != otherBefore.PID || other.Restarts != 0 || !other.Ready {
		t.Errorf("b was disturbed: before %+v, after %+v", otherBefore, other)
	}
}

func TestCrashLoopBacksOffExponentiallyUpToTheCap(t *testing.T) {
	const minBackoff, maxBackoff = 50 * time.Millisecond, 100 * time.Millisecond
	s := newSupervisor(t, Options{MinBackoff: minBackoff, MaxBackoff: maxBackoff})
	spec, logPath := fakeSpec(t, "crasher", "FAKE_CRASH=1")
	startAll(t, s, spec)

	const starts = 8
	eventually(t, 15*time.Second, "8 starts", func() bool { return len(events(t, logPath)) >= starts })
	evs := events(t, logPath)
	wantAtLeast := []time.Duration{50, 100, 100, 100, 100, 100, 100}
	for i, want := range wantAtLeast {
		gap := evs[i+1].at.Sub(evs[i].at)
		if gap < want*time.Millisecond {
			t.Errorf("gap before start %d = %s, want at least %s", i+2, gap, want*time.Millisecond)
		}
		// Uncapped doubling would make the last gaps 1.6 s and 3.2 s.
		if i >= 5 && gap > 1500*time.Millisecond {
			t.Errorf("gap before start %d = %s: backoff not capped at %s", i+2, gap, maxBackoff)
		}
	}
	if st := status(t, s, "crasher"); st.Restarts < starts-1 || st.LastExit != "exit status 3" {
		t.Errorf("status = %+v, want at least %d restarts and exit status 3", st, starts-1)
	}
}

func TestCrashDelay(t *testing.T) {
	o := Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: 5 * time.Second, StableAfter: 10 * time.Second}
	tests := []struct {
		name         string
		prev, uptime time.Duration
		want         time.Duration
	}{
		{"first crash", 0, time.Second, 100 * time.Millisecond},
		{"doubles", 100 * time.Millisecond, time.Second, 200 * time.Millisecond},
		{"doubles again", 1600 * time.Millisecond, 0, 3200 * time.Millisecond},
		{"capped", 3200 * time.Millisecond, 0, 5 * time.Second},
		{"stays capped", 5 * time.Second, 9 * time.Second, 5 * time.Second},
		{"resets after a stable run", 5 * time.Second, 10 * time.Second, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := crashDelay(tt.prev, tt.uptime, o); got != tt.want {
				t.Errorf("crashDelay(%s, %s) = %s, want %s", tt.prev, tt.uptime, got, tt.want)
			}
		})
	}
}

func TestRestartRestartsOnlyThatProcessGracefully(t *testing.T) {
	s := newSupervisor(t, Options{})
	a, aLog := fakeSpec(t, "a")
	b, _ := fakeSpec(t, "b")
	startAll(t, s, a, b)
	waitReady(t, s)
	before, otherBefore := status(t, s, "a"), status(t, s, "b")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Restart(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	waitReady(t, s, "a")

	after := status(t, s, "a")
	if after.PID == before.PID || after.Restarts != 1 || after.LastExit != "exit status 0" {
		t.Errorf("a after restart = %+v, want a new pid, 1 restart, exit status 0", after)
	}
	if !hasEvent(events(t, aLog), "sigterm", before.PID) {
		t.Errorf("old a (pid %d) did not receive SIGTERM", before.PID)
	}
	if other := status(t, s, "b"); other.PID != otherBefore.PID || other.Restarts != 0 {
		t.Errorf("b was restarted too: before %+v, after %+v", otherBefore, other)
	}
	if err := s.Restart(ctx, "nope"); !errors.Is(err, ErrUnknown) {
		t.Errorf("Restart(nope) = %v, want ErrUnknown", err)
	}
}

func TestStopTerminatesEveryProcessGracefully(t *testing.T) {
	s := newSupervisor(t, Options{})
	a, aLog := fakeSpec(t, "a")
	b, bLog := fakeSpec(t, "b")
	startAll(t, s, a, b)
	waitReady(t, s)
	pids := map[string]int{"a": status(t, s, "a").PID, "b": status(t, s, "b").PID}

	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	for name, logPath := range map[string]string{"a": aLog, "b": bLog} {
		if !hasEvent(events(t, logPath), "sigterm", pids[name]) {
			t.Errorf("%s did not receive SIGTERM", name)
		}
		st := status(t, s, name)
		if st.Running || st.Ready || st.LastExit != "exit status 0" || st.Restarts != 0 {
			t.Errorf("%s after Stop = %+v, want stopped with exit status 0 and no restart", name, st)
		}
		if err := syscall.Kill(pids[name], 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s (pid %d) still exists: %v", name, pids[name], err)
		}
	}
	if err := s.Start(a); err == nil {
		t.Error("Start after Stop succeeded, want an error")
	}
}

func TestStopKillsAProcessThatIgnoresSIGTERM(t *testing.T) {
	s := newSupervisor(t, Options{GracePeriod: 300 * time.Millisecond})
	stubborn, logPath := fakeSpec(t, "stubborn", "FAKE_IGNORE_SIGTERM=1")
	startAll(t, s, stubborn)
	waitReady(t, s)
	pid := status(t, s, "stubborn").PID

	err := s.Stop()
	if err == nil || !strings.Contains(err.Error(), "stubborn") {
		t.Errorf("Stop = %v, want an error naming stubborn", err)
	}
	if !hasEvent(events(t, logPath), "sigterm", pid) {
		t.Error("stubborn did not receive SIGTERM before SIGKILL")
	}
	if st := status(t, s, "stubborn"); st.Running || st.LastExit != "signal: killed" {
		t.Errorf("after Stop = %+v, want killed", st)
	}
}

func TestWaitReadyNamesWhatIsNotReady(t *testing.T) {
	s := newSupervisor(t, Options{})
	ok, _ := fakeSpec(t, "ok")
	never, _ := fakeSpec(t, "never", "FAKE_NOT_READY=1")
	startAll(t, s, ok, never)
	waitReady(t, s, "ok")

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := s.WaitReady(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "never") || strings.Contains(err.Error(), "ok") {
		t.Errorf("WaitReady = %v, want a deadline error naming only never", err)
	}
	if st := status(t, s, "never"); !st.Running || st.Ready {
		t.Errorf("never = %+v, want running and not ready", st)
	}
	if err := s.WaitReady(ctx, "nope"); !errors.Is(err, ErrUnknown) {
		t.Errorf("WaitReady(nope) = %v, want ErrUnknown", err)
	}
}
