package supervisor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// errStopping is returned when the supervisor is stopping the process.
var errStopping = errors.New("supervisor is stopping")

// process is one supervised program across its restarts. A single loop
// goroutine owns starting and reaping; the rest only signal it.
type process struct {
	spec Spec
	sup  *Supervisor
	log  *slog.Logger

	restartMu sync.Mutex     // serialises Restart calls
	pollers   sync.WaitGroup // readiness pollers of the current run

	mu            sync.Mutex
	cmd           *exec.Cmd     // the running process, nil between runs
	exited        chan struct{} // closed once cmd has been reaped
	stopPoll      context.CancelFunc
	startedAt     time.Time
	starts        int
	ready         bool
	lastExit      string
	restartWanted bool // the next exit is a requested restart, not a crash
	stopping      bool

	wake   chan struct{} // cuts a crash backoff short (buffered)
	stopCh chan struct{} // closed when stopping begins
	done   chan struct{} // closed when loop returns
}

func newProcess(spec Spec, sup *Supervisor) *process {
	return &process{
		spec:   spec,
		sup:    sup,
		log:    sup.opts.Logger.With("service", spec.Name),
		wake:   make(chan struct{}, 1),
		stopCh: make(chan struct{}),
		done:   make(chan struct{}),
	}
}

// start launches a new run of the program in its own process group.
func (p *process) start() error {
	p.mu.Lock()
	if p.stopping {
		p.mu.Unlock()
		return errStopping
	}
	select {
	case <-p.wake: // a stale wake-up must not shorten a later backoff
	default:
	}
	cmd := exec.Command(p.spec.Path, p.spec.Args...)
	cmd.Env = append(os.Environ(), p.spec.Env...)
	cmd.Dir = p.spec.Dir
	if p.spec.Output != nil {
		cmd.Stdout, cmd.Stderr = p.spec.Output, p.spec.Output
	}
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = 2 * time.Second // do not hang on pipes a grandchild keeps open
	if err := cmd.Start(); err != nil {
		p.lastExit = "start failed: " + err.Error()
		p.mu.Unlock()
		return fmt.Errorf("exec %s: %w", p.spec.Path, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cmd, p.exited, p.stopPoll = cmd, make(chan struct{}), cancel
	p.startedAt = time.Now()
	p.starts++
	p.restartWanted = false
	p.ready = p.spec.ReadyURL == ""
	p.mu.Unlock()

	p.log.Info("started", "pid", cmd.Process.Pid)
	if p.spec.ReadyURL != "" {
		p.pollers.Go(func() { p.pollReady(ctx, p.spec.ReadyURL) })
	}
	p.sup.notify()
	return nil
}

// loop reaps each run and starts the next one until the supervisor stops.
func (p *process) loop() {
	defer close(p.done)
	var delay time.Duration
	for {
		uptime := p.wait()
		p.mu.Lock()
		stopping, requested, lastExit := p.stopping, p.restartWanted, p.lastExit
		p.mu.Unlock()
		if stopping {
			return
		}
		if !requested {
			delay = crashDelay(delay, uptime, p.sup.opts)
			p.log.Warn("exited unexpectedly, restarting", "last_exit", lastExit, "uptime", uptime.Round(time.Millisecond), "backoff", delay)
			select {
			case <-time.After(delay):
			case <-p.wake:
			case <-p.stopCh:
				return
			}
		}
		if err := p.start(); err != nil {
			if errors.Is(err, errStopping) {
				return
			}
			p.log.Error("start failed", "err", err)
		}
	}
}

// crashDelay is the backoff before restarting a crashed process: it starts
// at MinBackoff, doubles up to MaxBackoff, and starts over when the process
// had been up for StableAfter.
func crashDelay(prev, uptime time.Duration, o Options) time.Duration {
	if prev == 0 || uptime >= o.StableAfter {
		return o.MinBackoff
	}
	return min(2*prev, o.MaxBackoff)
}

// wait reaps the current run, if any, and returns how long it ran.
func (p *process) wait() time.Duration {
	p.mu.Lock()
	cmd, exited, startedAt := p.cmd, p.exited, p.startedAt
	p.mu.Unlock()
	if cmd == nil {
		return 0
	}
	err := cmd.Wait()
	uptime := time.Since(startedAt)
	p.mu.Lock()
	p.cmd = nil
	p.ready = false
	p.stopPoll()
	p.lastExit = "exit status 0"
	if err != nil {
		p.lastExit = err.Error()
	}
	p.mu.Unlock()
	p.pollers.Wait()
	close(exited)
	p.log.Info("exited", "pid", cmd.Process.Pid, "status", p.status().LastExit)
	p.sup.notify()
	return uptime
}

// restart terminates the running process gracefully and waits until the
// loop has started the next one.
func (p *process) restart(ctx context.Context) error {
	p.restartMu.Lock()
	defer p.restartMu.Unlock()
	p.mu.Lock()
	if p.stopping {
		p.mu.Unlock()
		return fmt.Errorf("restart %s: %w", p.spec.Name, errStopping)
	}
	p.restartWanted = true
	starts, running, exited := p.starts, p.cmd != nil, p.exited
	p.mu.Unlock()

	p.log.Info("restart requested")
	if running {
		p.terminate(exited)
	}
	select {
	case p.wake <- struct{}{}: // in case the loop is in a crash backoff
	default:
	}
	err := p.sup.waitUntil(ctx, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.starts > starts || p.stopping
	})
	if err != nil {
		return fmt.Errorf("restart %s: %w", p.spec.Name, err)
	}
	if p.stoppingNow() {
		return fmt.Errorf("restart %s: %w", p.spec.Name, errStopping)
	}
	return nil
}

// terminate sends SIGTERM, then SIGKILL after the grace period, and waits
// for the run to be reaped.
func (p *process) terminate(exited chan struct{}) {
	p.signal(syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(p.sup.opts.GracePeriod):
		p.log.Warn("still running after grace period, killing", "grace", p.sup.opts.GracePeriod)
		p.signal(syscall.SIGKILL)
		<-exited
	}
}

// beginStop marks the process as stopping and sends SIGTERM.
func (p *process) beginStop() {
	p.mu.Lock()
	p.stopping = true
	p.mu.Unlock()
	close(p.stopCh)
	p.signal(syscall.SIGTERM)
}

// signal sends sig to the process group of the running process.
func (p *process) signal(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, sig) // negative pid: the whole group
	}
}

func (p *process) stoppingNow() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopping
}

func (p *process) status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := Status{Name: p.spec.Name, Ready: p.ready, Restarts: max(p.starts-1, 0), LastExit: p.lastExit}
	if p.cmd != nil {
		st.PID = p.cmd.Process.Pid
		st.Running = true
		st.StartedAt = p.startedAt
		st.Uptime = time.Since(p.startedAt)
	}
	return st
}

// pollReady polls url until ctx is cancelled (the run exited), quickly
// while not ready and slowly once ready.
func (p *process) pollReady(ctx context.Context, url string) {
	for {
		ok := p.probe(ctx, url)
		p.mu.Lock()
		if ctx.Err() != nil { // the run is over; its readiness no longer counts
			p.mu.Unlock()
			return
		}
		changed := p.ready != ok
		p.ready = ok
		p.mu.Unlock()
		interval := p.sup.opts.ReadyPoll
		if ok {
			interval = p.sup.opts.ReadyRecheck
		}
		if changed {
			p.log.Info("readiness changed", "ready", ok)
			p.sup.notify()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

func (p *process) probe(ctx context.Context, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := p.sup.client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
