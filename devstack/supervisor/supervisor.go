// Package supervisor runs a set of OS processes and keeps them running: a
// process that exits unexpectedly is started again with exponential backoff,
// one process can be restarted gracefully while the others keep serving, and
// each process's readiness is tracked by polling its HTTP readiness URL.
//
// Every process runs in its own process group, so a Ctrl-C in the terminal
// reaches only the supervising program, which then stops its children
// gracefully with Stop.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Spec describes one supervised process.
type Spec struct {
	// Name identifies the process; unique within a Supervisor.
	Name string
	// Path is the executable.
	Path string
	// Args are the command-line arguments, without the program name.
	Args []string
	// Env is added to the supervisor's own environment (later entries win).
	Env []string
	// Dir is the working directory; empty means the supervisor's.
	Dir string
	// ReadyURL is polled with GET; a 200 answer means ready. Empty means the
	// process is ready as soon as it runs.
	ReadyURL string
	// Output receives the process's stdout and stderr; nil discards them.
	Output io.Writer
}

// Options tune a Supervisor; zero values take the defaults.
type Options struct {
	// Logger receives the supervisor's own logs (default slog.Default()).
	Logger *slog.Logger
	// GracePeriod is how long a process may take to exit after SIGTERM
	// before it gets SIGKILL (default 15 s).
	GracePeriod time.Duration
	// MinBackoff is the first delay before restarting a crashed process
	// (default 100 ms); it doubles on every crash up to MaxBackoff.
	MinBackoff time.Duration
	// MaxBackoff caps the restart delay (default 5 s).
	MaxBackoff time.Duration
	// StableAfter resets the backoff when a process ran at least this long
	// before it crashed (default 10 s).
	StableAfter time.Duration
	// ReadyPoll is the readiness polling interval while a process is not
	// ready yet (default 50 ms).
	ReadyPoll time.Duration
	// ReadyRecheck is the polling interval once a process is ready
	// (default 1 s).
	ReadyRecheck time.Duration
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	setDefault(&o.GracePeriod, 15*time.Second)
	setDefault(&o.MinBackoff, 100*time.Millisecond)
	setDefault(&o.MaxBackoff, 5*time.Second)
	setDefault(&o.StableAfter, 10*time.Second)
	setDefault(&o.ReadyPoll, 50*time.Millisecond)
	setDefault(&o.ReadyRecheck, time.Second)
	return o
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// Status is a snapshot of one supervised process.
type Status struct {
	// Name of the process.
	Name string
	// PID of the running process, 0 when it is not running.
	PID int
	// Running reports whether a process is currently running.
	Running bool
	// Ready reports whether the last readiness poll answered 200.
	Ready bool
	// Restarts counts starts after the first one (crashes and requests).
	Restarts int
	// StartedAt is when the current process started (zero when not running).
	StartedAt time.Time
	// Uptime is how long the current process has been running.
	Uptime time.Duration
	// LastExit describes how the previous process ended ("exit status 1",
	// "signal: killed"), empty before the first exit.
	LastExit string
}

// Supervisor runs and watches processes. Its methods are safe for
// concurrent use.
type Supervisor struct {
	opts   Options
	client *http.Client

	mu      sync.Mutex
	procs   []*process
	stopped bool

	changedMu sync.Mutex
	changed   chan struct{} // closed and replaced on every state change
}

// New returns a Supervisor with no processes.
func New(opts Options) *Supervisor {
	return &Supervisor{
		opts: opts.withDefaults(),
		client: &http.Client{
			Timeout:   time.Second,
			Transport: &http.Transport{DisableKeepAlives: true},
		},
		changed: make(chan struct{}),
	}
}

// Start starts spec's process and supervises it from then on. It fails if
// the name is taken, the supervisor is stopped, or the first start fails.
func (s *Supervisor) Start(spec Spec) error {
	if spec.Name == "" || spec.Path == "" {
		return errors.New("supervisor: spec needs a Name and a Path")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return fmt.Errorf("start %s: supervisor is stopped", spec.Name)
	}
	if s.find(spec.Name) != nil {
		return fmt.Errorf("start %s: name already supervised", spec.Name)
	}
	p := newProcess(spec, s)
	if err := p.start(); err != nil {
		return fmt.Errorf("start %s: %w", spec.Name, err)
	}
	s.procs = append(s.procs, p)
	go p.loop()
	return nil
}

// Restart gracefully restarts one process (SIGTERM, SIGKILL after the grace
// period, start again) while the others keep running. It returns once the
// new process has started; use WaitReady to wait for its readiness.
func (s *Supervisor) Restart(ctx context.Context, name string) error {
	s.mu.Lock()
	p := s.find(name)
	s.mu.Unlock()
	if p == nil {
		return fmt.Errorf("restart %s: %w", name, ErrUnknown)
	}
	return p.restart(ctx)
}

// Stop stops every process: SIGTERM to all, then SIGKILL to those still
// running after the grace period. It returns once all have exited; the
// error names the processes that had to be killed. Stop is idempotent.
func (s *Supervisor) Stop() error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	procs := slices.Clone(s.procs)
	s.mu.Unlock()

	for _, p := range procs {
		p.beginStop()
	}
	graceOver := time.After(s.opts.GracePeriod)
	expired := false
	var killed []string
	for _, p := range procs {
		if !expired {
			select {
			case <-p.done:
				continue
			case <-graceOver:
				expired = true
			}
		}
		select {
		case <-p.done:
			continue
		default:
		}
		killed = append(killed, p.spec.Name)
		p.signal(syscall.SIGKILL)
		<-p.done
	}
	if len(killed) > 0 {
		return fmt.Errorf("supervisor: killed after %s grace period: %s", s.opts.GracePeriod, strings.Join(killed, ", "))
	}
	return nil
}

// WaitReady waits until every named process (all of them when no name is
// given) is ready, or ctx is done. The error names those not ready.
func (s *Supervisor) WaitReady(ctx context.Context, names ...string) error {
	if len(names) == 0 {
		for _, st := range s.Status() {
			names = append(names, st.Name)
		}
	}
	for _, n := range names {
		if _, ok := s.StatusOf(n); !ok {
			return fmt.Errorf("wait ready %s: %w", n, ErrUnknown)
		}
	}
	err := s.waitUntil(ctx, func() bool { return len(s.notReady(names)) == 0 })
	if err != nil {
		return fmt.Errorf("not ready: %s: %w", strings.Join(s.notReady(names), ", "), err)
	}
	return nil
}

// Status returns a snapshot of every process, in start order.
func (s *Supervisor) Status() []Status {
	s.mu.Lock()
	procs := slices.Clone(s.procs)
	s.mu.Unlock()
	out := make([]Status, 0, len(procs))
	for _, p := range procs {
		out = append(out, p.status())
	}
	return out
}

// StatusOf returns the snapshot of one process.
func (s *Supervisor) StatusOf(name string) (Status, bool) {
	s.mu.Lock()
	p := s.find(name)
	s.mu.Unlock()
	if p == nil {
		return Status{}, false
	}
	return p.status(), true
}

// ErrUnknown is returned for a process name the supervisor does not run.
var ErrUnknown = errors.New("no such process")

func (s *Supervisor) find(name string) *process {
	for _, p := range s.procs {
		if p.spec.Name == name {
			return p
		}
	}
	return nil
}

func (s *Supervisor) notReady(names []string) []string {
	var out []string
	for _, n := range names {
		if st, _ := s.StatusOf(n); !st.Ready {
			out = append(out, n)
		}
	}
	return out
}

// notify wakes everyone waiting in waitUntil.
func (s *Supervisor) notify() {
	s.changedMu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.changedMu.Unlock()
}

// waitUntil blocks until cond holds (checked after every state change) or
// ctx is done.
func (s *Supervisor) waitUntil(ctx context.Context, cond func() bool) error {
	for {
		s.changedMu.Lock()
		changed := s.changed
		s.changedMu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
