// Package chaos proves, on its own embedded stack, that Mercato loses no
// order, charges nobody twice and sells no unit it does not have while a
// schedule of faults hits it under a stream of shopper journeys: each
// service SIGKILLed in turn (and two at once), a service hung by SIGSTOP,
// the Stripe emulator failing, slow and sending duplicate and reordered
// webhooks, the broker and the store unreachable. After the last fault it
// waits for the suite to drain, then audits from independent sources: the
// client's accepted orders against the orders API, the emulator's charges
// per order, and the catalog's stock counters.
package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/mercato-shop/mercato/devstack/stack"
	"github.com/mercato-shop/mercato/devstack/supervisor"
)

// Options configure Run.
type Options struct {
	// Profile is the load and fault schedule (ShortProfile, LongProfile).
	Profile Profile
	// BinDir holds prebuilt service binaries; empty builds them into the
	// data folder first.
	BinDir string
	// DataDir is the stack's data folder; empty makes (and removes) a
	// temporary one.
	DataDir string
	// Logger receives the stack's logs (default: discarded).
	Logger *slog.Logger
	// Progress, when set, receives a line per fault and phase.
	Progress io.Writer
}

// Run starts a stack, runs the profile against it, audits, stops the stack
// and returns the report. The error is for a run that could not happen
// (the stack did not start, the seed failed); violated assertions are in
// Report.Violations.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	p := opts.Profile.withDefaults()
	dataDir := opts.DataDir
	var rep *Report
	if dataDir == "" {
		dir, err := os.MkdirTemp("", "mercato-chaos-")
		if err != nil {
			return nil, fmt.Errorf("chaos: %w", err)
		}
		// A failed run keeps its folder: the services' logs are the lead.
		defer func() {
			if rep != nil && !rep.OK() {
				fmt.Fprintf(opts.Progress, "kept %s for its logs\n", dir)
				return
			}
			_ = os.RemoveAll(dir)
		}()
		dataDir = dir
	}
	began := time.Now()
	startCtx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	st, err := stack.Start(startCtx, stack.Options{
		DataDir:         filepath.Join(dataDir, "data"),
		BinDir:          opts.BinDir,
		Logger:          opts.Logger,
		SwitchableStore: true,
		Supervisor:      supervisor.Options{GracePeriod: 5 * time.Second, MaxBackoff: time.Second},
	})
	if err != nil {
		return nil, fmt.Errorf("chaos: start stack: %w", err)
	}
	defer st.Close()
	fmt.Fprintf(opts.Progress, "stack up in %s (logs in %s)\n", time.Since(began).Round(time.Millisecond), st.LogDir())

	r := &run{p: p, st: st, c: newClient(st.GatewayURL()), progress: opts.Progress, rec: newRecorder()}
	if err := r.seed(ctx); err != nil {
		return nil, fmt.Errorf("chaos: seed: %w", err)
	}
	rep = r.execute(ctx)
	rep.StackStart = r.rec.start.Sub(began)
	if ctx.Err() != nil {
		return rep, fmt.Errorf("chaos: %w", ctx.Err())
	}
	return rep, nil
}

// run is one chaos run against one stack.
type run struct {
	p        Profile
	st       *stack.Stack
	c        *client
	progress io.Writer
	rec      *recorder

	merchant string
	products []product
	shoppers []string
}

// execute runs the load and the fault schedule side by side, then drains
// and audits.
func (r *run) execute(ctx context.Context) *Report {
	r.rec.begin()
	loadCtx, stopLoad := context.WithCancel(ctx)
	loadDone := make(chan struct{})
	go func() { defer close(loadDone); r.load(loadCtx) }()

	lastFault := r.runSchedule(ctx)
	tail := time.NewTimer(r.p.Tail)
	select {
	case <-tail.C:
	case <-ctx.Done():
	}
	tail.Stop()
	stopLoad()
	<-loadDone
	loadEnd := r.rec.since(time.Now())
	fmt.Fprintf(r.progress, "load stopped at %s; draining\n", loadEnd.Round(time.Second))

	a, settledAt := r.drain(ctx, lastFault)
	rep := r.report(a, settledAt, lastFault)
	rep.LoadEnd = loadEnd
	return rep
}

// errNoProgress ends a wait whose limit passed.
var errNoProgress = errors.New("no progress")
