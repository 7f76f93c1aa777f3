package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/internal/gatewayapi"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose: quantilesOf sorts
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	q := quantilesOf(ds)
	want := quantiles{n: 100, p50: 50 * time.Millisecond, p90: 90 * time.Millisecond, p99: 99 * time.Millisecond, max: 100 * time.Millisecond}
	if q != want {
		t.Fatalf("quantiles of 1..100 ms = %+v, want %+v", q, want)
	}
	// Nearest rank: p99 of ten values is the largest, p50 the fifth.
	ten := sorted([]time.Duration{10, 9, 8, 7, 6, 5, 4, 3, 2, 1})
	if got := percentile(ten, 99); got != 10 {
		t.Errorf("p99 of 1..10 = %d, want 10", got)
	}
	if got := percentile(ten, 50); got != 5 {
		t.Errorf("p50 of 1..10 = %d, want 5", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of nothing = %d, want 0", got)
	}
}

func TestHistogramBucketsAreLogarithmic(t *testing.T) {
	ms := time.Millisecond
	h := newHistogram([]time.Duration{ms, ms, 10 * ms, 100 * ms, 150 * ms}, 10)
	if len(h.counts) != 22 {
		t.Fatalf("%d buckets from 1 ms to 150 ms at 10 per decade, want 22", len(h.counts))
	}
	if h.counts[0] != 2 || h.counts[10] != 1 || h.counts[20] != 1 || h.counts[21] != 1 {
		t.Errorf("counts %v: want 2 at 1 ms, 1 at 10 ms, 1 at 100 ms, 1 at 150 ms", h.counts)
	}
	if b := h.bound(10); b < 9990*time.Microsecond || b > 10010*time.Microsecond {
		t.Errorf("bucket 10 starts at %s, want 10 ms", b)
	}
	if d, ok := roundBound(h.bound(3)); !ok || d != 2*ms {
		t.Errorf("bound(3) = %s labelled %s %v, want a 2ms label", h.bound(3), d, ok)
	}
	if _, ok := roundBound(h.bound(1)); ok {
		t.Errorf("bound(1) = %s should carry no label", h.bound(1))
	}
}

func TestTimelineRatesAndPercentiles(t *testing.T) {
	tl := newTimeline(1500*time.Millisecond, 150)
	if tl.width != time.Second || tl.buckets != 2 {
		t.Fatalf("timeline %+v, want 2 windows of 1 s", tl)
	}
	ats := []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 1200 * time.Millisecond}
	if got := tl.rate("x", ats).values; got[0] != 2 || got[1] != 1 {
		t.Errorf("rates %v, want [2 1]", got)
	}
	lats := []time.Duration{10 * time.Millisecond, 30 * time.Millisecond, 7 * time.Millisecond}
	p99 := tl.percentiles("p99", ats[:2], lats[:2], 99).values
	if p99[0] != 30 || !math.IsNaN(p99[1]) {
		t.Errorf("p99 per window %v, want [30 NaN]", p99)
	}
	if long := newTimeline(10*time.Minute, 150); long.width != 4*time.Second {
		t.Errorf("a 10 min run gets %s windows, want 4s", long.width)
	}
	if top, step := niceScale(11); top != 12 || step != 2 {
		t.Errorf("niceScale(11) = %v, %v; want 12, 2", top, step)
	}
}

func TestErrorKindNamesStatusAndProblemCode(t *testing.T) {
	err := &gatewayapi.StatusError{Method: "POST", Path: "/api/v1/checkout", Status: 429,
		Body: `{"status":429,"code":"rate_limited"}`, RetryAfter: 3 * time.Second}
	if got := errorKind(err); got != "429 rate_limited" {
		t.Errorf("errorKind = %q, want 429 rate_limited", got)
	}
	if got := backoff(err); got != 3*time.Second {
		t.Errorf("backoff = %s, want the Retry-After of 3s", got)
	}
	if got := errorKind(errors.New("GET /x: dial tcp: connection refused")); got != "connection refused" {
		t.Errorf("errorKind = %q, want connection refused", got)
	}
}

// syntheticRun records a run of 10 s: 20 orders placed one every 0.5 s,
// each paid 400 ms after it was created by the server's clock, except the
// last, paid 2 s after the stream stopped, and one left pending.
func syntheticRun(t *testing.T) summary {
	t.Helper()
	start := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	rec := newRecorder(start)
	for i := range 20 {
		placed := start.Add(time.Duration(i) * 500 * time.Millisecond)
		id := string(rune('a' + i))
		rec.call(stepCart, placed.Add(-20*time.Millisecond), 15*time.Millisecond, nil)
		rec.call(stepCheckout, placed, time.Duration(20+i)*time.Millisecond, nil)
		rec.placed(id, placed)
		settle := 400 * time.Millisecond
		if i == 19 {
			settle = 2500 * time.Millisecond // placed at 9.5 s, paid at 12 s
		}
		o := order{ID: id, Status: "paid", CreatedAt: placed.Add(-5 * time.Millisecond)}
		o.UpdatedAt = o.CreatedAt.Add(settle)
		rec.call(stepStatus, o.UpdatedAt.Add(10*time.Millisecond), 4*time.Millisecond, nil)
		rec.terminal(o, placed, o.UpdatedAt.Add(10*time.Millisecond))
	}
	rec.placed("pending-one", start.Add(9*time.Second))
	rec.call(stepCheckout, start.Add(9*time.Second), 0, &gatewayapi.StatusError{Status: 503, Body: `{"code":"upstream_unavailable"}`})
	res := loadResult{rec: rec, streamEnd: 10 * time.Second, end: 14 * time.Second, stuck: map[string]int{"pending": 1}}
	info := runInfo{cfg: config{mode: modeStream, duration: 10 * time.Second, concurrency: 2, shoppers: 4, drainTimeout: 4 * time.Second},
		started: start, gateway: "http://127.0.0.1:1", seeded: "seeded",
		before: snapshot{offsets: topicOffsets{"orders.events": 10}, commands: commandCounts{"find": 100, "serverStatus": 5}, ownCalls: 5},
		after:  snapshot{offsets: topicOffsets{"orders.events": 70}, commands: commandCounts{"find": 300, "update": 80, "serverStatus": 9}, ownCalls: 9},
		points: []point{{at: time.Second, kafka: 10, commands: 100}, {at: 2 * time.Second, kafka: 16, commands: 140}}}
	return summarize(res, info)
}

func TestSummarizeThroughputDrainAndCost(t *testing.T) {
	s := syntheticRun(t)
	if s.accepted != 21 || s.paid != 20 {
		t.Fatalf("accepted %d paid %d, want 21 and 20", s.accepted, s.paid)
	}
	if s.paidPerSecond != 1.9 { // 19 paid by 10 s
		t.Errorf("paid/s while streaming = %v, want 1.9", s.paidPerSecond)
	}
	if s.settle.p50 != 400*time.Millisecond || s.settle.max != 2500*time.Millisecond {
		t.Errorf("placed→paid %v, want p50 400ms (server clock) and max 2.5s", s.settle)
	}
	if s.drained || s.backlogAtStop != 2 {
		t.Errorf("drained %v backlog %d: one order never ended and one was paid after the stop", s.drained, s.backlogAtStop)
	}
	if s.drain != 1995*time.Millisecond {
		t.Errorf("drain %s, want 1.995s (last paid at 11.995 s by the server's clock, stream stopped at 10 s)", s.drain)
	}
	if got := s.perPaid(s.kafkaTotal); got != 3 {
		t.Errorf("Kafka messages per paid order %v, want 60/20 = 3", got)
	}
	if _, ok := s.commands["serverStatus"]; ok || s.commands["find"] != 200 || s.commands["update"] != 80 {
		t.Errorf("store commands %v: want find 200, update 80, loadgen's own serverStatus left out", s.commands)
	}
	if s.errCount != 1 || s.errors["checkout 503 upstream_unavailable"].count != 1 {
		t.Errorf("errors %v, want one checkout 503 upstream_unavailable", s.errors)
	}
}

func TestHTMLReportIsSelfContainedWithWellFormedPlots(t *testing.T) {
	var buf bytes.Buffer
	if err := writeHTML(&buf, syntheticRun(t)); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, banned := range []string{"<script", "<link", "src=", "href=", "@import", "url("} {
		if strings.Contains(page, banned) {
			t.Errorf("report contains %q: it must not load anything", banned)
		}
	}
	for _, want := range []string{"placed→paid", "p50 400.0ms", "checkout 503 upstream_unavailable", "orders.events", "not drained", "Latency histograms"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(page, -1)
	if len(svgs) != 10 { // 6 over time, 4 histograms
		t.Fatalf("%d plots, want 10", len(svgs))
	}
	for i, svg := range svgs {
		d := xml.NewDecoder(strings.NewReader(svg))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("plot %d is not well-formed XML: %v", i, err)
			}
		}
		if !strings.Contains(svg, "<polyline") && !strings.Contains(svg, "<rect x=") && !strings.Contains(svg, "<circle") {
			t.Errorf("plot %d draws no data", i)
		}
		if strings.Contains(svg, "NaN") {
			t.Errorf("plot %d has NaN coordinates", i)
		}
	}
}

func TestFiguresJSON(t *testing.T) {
	f := syntheticRun(t).figures()
	if f.Paid != 20 || f.PlacedToPaid.P50 != 400 || f.KafkaPerPaid != 3 || f.Drained || f.Steps[stepCheckout].N != 20 {
		t.Errorf("figures %+v", f)
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags(flag.NewFlagSet("loadgen", flag.ContinueOnError), []string{"-duration", "90s", "-c", "32", "-mode", "stream", "-preload", "100000"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.duration != 90*time.Second || cfg.concurrency != 32 || cfg.shoppers != 64 || cfg.mode != modeStream || cfg.preload != 100000 {
		t.Errorf("config %+v", cfg)
	}
	for _, args := range [][]string{{"-mode", "burst"}, {"-c", "0"}, {"-preload", "10", "-gateway", "http://x"}} {
		fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if _, err := parseFlags(fs, args); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}
