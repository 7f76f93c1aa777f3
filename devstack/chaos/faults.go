package chaos

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// recoverTimeout bounds the wait for a service to be ready again after a
// fault.
const recoverTimeout = 90 * time.Second

// runSchedule runs the profile's faults one after the other, with the
// warm-up before and the gap between them, and returns when the last one
// ended (everything ready again).
func (r *run) runSchedule(ctx context.Context) time.Time {
	if wait(ctx, r.p.Warmup) != nil {
		return time.Now()
	}
	last := time.Now()
	for round := 0; ; round++ {
		for i, f := range r.p.Faults {
			if i > 0 || round > 0 {
				if wait(ctx, r.p.Gap) != nil {
					return last
				}
			}
			if r.p.Duration > 0 && r.rec.since(time.Now()) >= r.p.Duration {
				return last
			}
			last = r.inject(ctx, f)
			if ctx.Err() != nil {
				return last
			}
		}
		if r.p.Duration <= 0 || r.rec.since(time.Now()) >= r.p.Duration {
			return last
		}
	}
}

// inject runs one fault to its end and records it.
func (r *run) inject(ctx context.Context, f Fault) time.Time {
	start := time.Now()
	fmt.Fprintf(r.progress, "%6s  %s\n", r.rec.since(start).Round(time.Second), f.Name())
	err := r.apply(ctx, f)
	end := time.Now()
	r.rec.fault(f.Name(), start, end, err)
	if err != nil {
		fmt.Fprintf(r.progress, "        %s: %v\n", f.Name(), err)
	}
	return end
}

// apply injects f and waits until the suite is whole again.
func (r *run) apply(ctx context.Context, f Fault) error {
	switch f.Kind {
	case KindKill:
		return r.kill(ctx, f.Services)
	case KindStop:
		return r.stop(ctx, f.Services, f.Hold)
	case KindStripe:
		em := r.st.Stripe()
		em.SetFaults(f.Stripe)
		err := wait(ctx, f.Hold)
		em.SetFaults(stripeemu.Faults{})
		return err
	case KindBroker:
		k := r.st.Kafka()
		if err := k.SetReachable(false); err != nil {
			return err
		}
		err := wait(ctx, f.Hold)
		return errors.Join(err, k.SetReachable(true), r.waitReady(ctx))
	case KindStore:
		m := r.st.Mongo()
		if err := m.SetReachable(false); err != nil {
			return err
		}
		err := wait(ctx, f.Hold)
		return errors.Join(err, m.SetReachable(true), r.waitReady(ctx))
	}
	return fmt.Errorf("unknown fault kind %q", f.Kind)
}

// kill SIGKILLs the services together and waits until the supervisor has
// each running under a new pid and ready.
func (r *run) kill(ctx context.Context, names []string) error {
	before := map[string]int{}
	for _, n := range names {
		s, ok := r.st.Supervisor().StatusOf(n)
		if !ok || s.PID == 0 {
			return fmt.Errorf("kill %s: not running", n)
		}
		before[n] = s.PID
	}
	for n, pid := range before {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return fmt.Errorf("kill %s: %w", n, err)
		}
	}
	return poll(ctx, recoverTimeout, func() (bool, string) {
		var waiting []string
		for n, pid := range before {
			s, _ := r.st.Supervisor().StatusOf(n)
			if s.PID == pid || !s.Ready {
				waiting = append(waiting, n)
			}
		}
		return len(waiting) == 0, "not back: " + strings.Join(waiting, ", ")
	})
}

// stop hangs the services for hold, then lets them go on.
func (r *run) stop(ctx context.Context, names []string, hold time.Duration) error {
	var pids []int
	for _, n := range names {
		s, ok := r.st.Supervisor().StatusOf(n)
		if !ok || s.PID == 0 {
			return fmt.Errorf("stop %s: not running", n)
		}
		if err := syscall.Kill(s.PID, syscall.SIGSTOP); err != nil {
			return fmt.Errorf("stop %s: %w", n, err)
		}
		pids = append(pids, s.PID)
	}
	err := wait(ctx, hold)
	for _, pid := range pids {
		// The supervisor may have killed a hung process meanwhile: then
		// there is nothing to continue.
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
	return errors.Join(err, r.waitReady(ctx))
}

// waitReady waits until every service is ready.
func (r *run) waitReady(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, recoverTimeout)
	defer cancel()
	return r.st.Supervisor().WaitReady(wctx)
}

// wait sleeps d, or returns ctx's error.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// poll checks cond every 100 ms until it holds, ctx ends or limit passes.
func poll(ctx context.Context, limit time.Duration, cond func() (bool, string)) error {
	deadline := time.Now().Add(limit)
	for {
		ok, why := cond()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s: %s: %w", limit, why, errNoProgress)
		}
		if err := wait(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}
