package chaos

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Report is a run's figures, its timeline and the assertions it broke.
type Report struct {
	// Profile is the run's shape.
	Profile Profile
	// StackStart is how long the stack took to start and seed.
	StackStart time.Duration
	// LoadEnd is when the load stopped, LastFault when the last fault
	// ended, both since the load began.
	LoadEnd, LastFault time.Duration
	// Drain is the time from the end of the last fault until every order
	// was terminal with its money and stock settled; Drained false when
	// that did not happen within the profile's DrainTimeout.
	Drain   time.Duration
	Drained bool
	// Audit holds the counts of the independent sources.
	Audit Audit
	// Unanswered counts checkouts given up on: refused with a 4xx, or
	// never answered within the retry limit (not accepted, not counted
	// as lost; the orders API still lists them if they exist).
	UnansweredRefused, UnansweredTimeout int
	// ErrorsByStep counts failed calls by journey step.
	ErrorsByStep map[string]int
	// Faults are the injected faults, in order.
	Faults []FaultSpan
	// Timeline is the activity per second since the load began.
	Timeline []Second
	// Violations are the broken assertions; empty for a passing run.
	Violations []string
}

// OK says whether every assertion held.
func (rep *Report) OK() bool { return len(rep.Violations) == 0 }

// report assembles the figures and checks the assertions.
func (r *run) report(a Audit, settledAt, lastFault time.Time) *Report {
	r.rec.mu.Lock()
	rep := &Report{Profile: r.p, Audit: a, UnansweredRefused: r.rec.unansweredDefinite, UnansweredTimeout: r.rec.unansweredTransient,
		ErrorsByStep: map[string]int{}, Faults: append([]FaultSpan(nil), r.rec.faults...), LastFault: r.rec.since(lastFault)}
	for k, v := range r.rec.errorsByStep {
		rep.ErrorsByStep[k] = v
	}
	r.rec.mu.Unlock()
	rep.Timeline = r.rec.timeline()
	if !settledAt.IsZero() {
		rep.Drained, rep.Drain = true, max(0, settledAt.Sub(lastFault))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dl, err := deadLetters(ctx, r.st.KafkaAddr())
	if err != nil {
		rep.Violations = append(rep.Violations, "dead letters not counted: "+err.Error())
	}
	rep.Audit.DeadLetters = dl
	rep.check()
	return rep
}

// check fills Violations from the figures.
func (rep *Report) check() {
	a := rep.Audit
	add := func(ok bool, format string, args ...any) {
		if !ok {
			rep.Violations = append(rep.Violations, fmt.Sprintf(format, args...))
		}
	}
	add(a.Accepted > 0, "no order was accepted")
	add(len(a.Lost) == 0, "%d lost orders: %s", len(a.Lost), list(a.Lost))
	add(len(a.Stuck) == 0, "%d stuck orders: %s", len(a.Stuck), listMap(a.Stuck))
	add(len(a.DoubleCharged) == 0, "%d double charges: %s", len(a.DoubleCharged), list(a.DoubleCharged))
	add(len(a.KeptMoney) == 0, "%d cancelled orders keep money: %s", len(a.KeptMoney), list(a.KeptMoney))
	add(len(a.Unpaid) == 0, "%d paid orders without money: %s", len(a.Unpaid), list(a.Unpaid))
	add(len(a.Stock) == 0, "stock wrong: %s", strings.Join(a.Stock, "; "))
	add(rep.Drained, "not drained %s after the last fault", rep.Profile.DrainTimeout)
	add(!rep.Drained || rep.Drain < rep.Profile.MaxDrain, "drain took %s, more than %s", rep.Drain.Round(time.Millisecond), rep.Profile.MaxDrain)
	for _, f := range rep.Faults {
		add(f.Err == "", "fault %q: %s", f.Name, f.Err)
	}
}

// list shows at most ten items.
func list(xs []string) string {
	if len(xs) > 10 {
		return strings.Join(xs[:10], ", ") + fmt.Sprintf(" and %d more", len(xs)-10)
	}
	return strings.Join(xs, ", ")
}

func listMap(m map[string]string) string {
	var xs []string
	for _, k := range sortedKeys(m) {
		xs = append(xs, k+" "+m[k])
	}
	return list(xs)
}

// Text is the report for a terminal or a test log.
func (rep *Report) Text() string {
	var b strings.Builder
	a := rep.Audit
	verdict := "PASS"
	if !rep.OK() {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "chaos %s profile: %s (%d shoppers, stack start %s)\n", rep.Profile.Name, verdict, rep.Profile.Shoppers, rep.StackStart.Round(time.Second))
	fmt.Fprintf(&b, "faults (since load start):\n")
	for _, f := range rep.Faults {
		status := "recovered"
		if f.Err != "" {
			status = "ERROR " + f.Err
		}
		fmt.Fprintf(&b, "  %6.1fs – %6.1fs  %-28s %s\n", f.Start.Seconds(), f.End.Seconds(), f.Name, status)
	}
	fmt.Fprintf(&b, "orders: accepted %d, listed %d, lost %d, stuck %d\n", a.Accepted, a.Listed, len(a.Lost), len(a.Stuck))
	var finals []string
	for _, k := range sortedKeys(a.Finals) {
		finals = append(finals, fmt.Sprintf("%s %d", k, a.Finals[k]))
	}
	fmt.Fprintf(&b, "  by status: %s\n", strings.Join(finals, ", "))
	fmt.Fprintf(&b, "  checkouts given up: %d refused (4xx), %d unanswered\n", rep.UnansweredRefused, rep.UnansweredTimeout)
	fmt.Fprintf(&b, "money: double charges %d, cancelled keeping money %d, paid without money %d\n", len(a.DoubleCharged), len(a.KeptMoney), len(a.Unpaid))
	stock := "exact"
	if len(a.Stock) > 0 {
		stock = strings.Join(a.Stock, "; ")
	}
	fmt.Fprintf(&b, "stock: %s\n", stock)
	var dl []string
	for _, k := range sortedKeys(a.DeadLetters) {
		dl = append(dl, fmt.Sprintf("%s %d", k, a.DeadLetters[k]))
	}
	fmt.Fprintf(&b, "dead letters: %s\n", strings.Join(dl, ", "))
	var errs []string
	for _, k := range sortedKeys(rep.ErrorsByStep) {
		errs = append(errs, fmt.Sprintf("%s %d", k, rep.ErrorsByStep[k]))
	}
	fmt.Fprintf(&b, "failed calls (retried): %s\n", strings.Join(errs, ", "))
	if rep.Drained {
		fmt.Fprintf(&b, "drain after last fault: %s (bound %s)\n", rep.Drain.Round(time.Millisecond), rep.Profile.MaxDrain)
	} else {
		fmt.Fprintf(&b, "drain after last fault: not drained within %s\n", rep.Profile.DrainTimeout)
	}
	fmt.Fprintf(&b, "timeline (per second: checkouts accepted / orders settled / failed calls / checkout p95):\n")
	for i, s := range rep.Timeline {
		fmt.Fprintf(&b, "  %4ds %3d %3d %3d %6dms %s\n", i, s.Checkouts, s.Terminal, s.Errors, s.CheckoutP95.Milliseconds(), rep.faultAt(time.Duration(i)*time.Second))
	}
	for _, v := range rep.Violations {
		fmt.Fprintf(&b, "VIOLATION: %s\n", v)
	}
	return b.String()
}

// faultAt names the faults on during the second starting at t.
func (rep *Report) faultAt(t time.Duration) string {
	var on []string
	for _, f := range rep.Faults {
		if f.Start < t+time.Second && f.End >= t {
			on = append(on, f.Name)
		}
	}
	return strings.Join(on, ", ")
}
