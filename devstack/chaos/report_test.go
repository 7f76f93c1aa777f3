package chaos

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCheckFlagsEveryBrokenAssertion builds a report that breaks each
// assertion once and one that breaks none.
func TestCheckFlagsEveryBrokenAssertion(t *testing.T) {
	good := &Report{Profile: ShortProfile(), Drained: true, Drain: 2 * time.Second,
		Audit: Audit{Accepted: 5, Listed: 5, Stuck: map[string]string{}}}
	good.check()
	if !good.OK() {
		t.Fatalf("a clean run has violations: %v", good.Violations)
	}
	bad := &Report{Profile: ShortProfile(), Drained: true, Drain: 31 * time.Second,
		Faults: []FaultSpan{{Name: "kill orders", Err: "not back: orders"}},
		Audit: Audit{Accepted: 5, Listed: 4, Lost: []string{"o1"}, Stuck: map[string]string{"o2": "awaiting_payment"},
			DoubleCharged: []string{"o3"}, KeptMoney: []string{"o4"}, Unpaid: []string{"o5"}, Stock: []string{"p1: 1 units still held"}}}
	bad.check()
	want := []string{"1 lost", "1 stuck", "1 double charges", "keep money", "without money", "stock wrong", "drain took 31s", `fault "kill orders"`}
	if len(bad.Violations) != len(want) {
		t.Errorf("violations %q, want %d", bad.Violations, len(want))
	}
	all := strings.Join(bad.Violations, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("no violation mentions %q in:\n%s", w, all)
		}
	}
	if !strings.Contains(bad.Text(), "VIOLATION: 1 lost orders: o1") {
		t.Errorf("text report does not show the lost order:\n%s", bad.Text())
	}
}

// TestHTMLReportIsSelfContained renders a report with a timeline and a
// fault: the page has both charts, the fault's label, and loads nothing
// from elsewhere.
func TestHTMLReportIsSelfContained(t *testing.T) {
	rep := &Report{Profile: ShortProfile(), Drained: true, Drain: time.Second, Audit: Audit{Accepted: 3, Listed: 3},
		Faults:   []FaultSpan{{Name: "broker 10s", Start: 2 * time.Second, End: 12 * time.Second}},
		Timeline: []Second{{Checkouts: 3, Terminal: 2, CheckoutP95: 80 * time.Millisecond}, {Errors: 4}, {Checkouts: 1}}}
	rep.check()
	var b bytes.Buffer
	if err := rep.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, "<svg"); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	if !strings.Contains(page, "broker 10s") || !strings.Contains(page, "<polyline") {
		t.Error("the charts lack the fault or the series")
	}
	if m := regexp.MustCompile(`(src|href)=`).FindString(page); m != "" {
		t.Errorf("the page loads an external asset (%s)", m)
	}
}
