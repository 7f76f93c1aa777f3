package main

import (
	"sort"
	"strings"
	"time"

	"github.com/mercato-shop/mercato/devstack/internal/preload"
)

// restartTiming is how long a service took to be ready again after the
// preload restarted it.
type restartTiming struct {
	service string
	ready   time.Duration
}

// runInfo is everything about a run besides the load itself.
type runInfo struct {
	cfg      config
	started  time.Time
	gateway  string
	seeded   string
	preload  *preload.Result
	restarts []restartTiming
	probes   *probes
	before   snapshot
	after    snapshot
	points   []point
	raw      rawResult
}

// summary is a run condensed into the figures both reports show.
type summary struct {
	info runInfo

	streamEnd, end time.Duration
	interrupted    bool
	accepted, paid int
	byFinal        map[string]int
	stuck          map[string]int
	// backlogAtStop is how many accepted orders were not terminal when the
	// stream stopped; drain is from then until the last became terminal.
	backlogAtStop int
	drain         time.Duration
	drained       bool
	// paidPerSecond counts the orders paid while the stream ran, per
	// second of the stream; overallPerSecond all paid orders per second
	// until the last was paid.
	paidPerSecond, acceptedPerSecond, overallPerSecond float64

	steps    map[string]quantiles
	settle   quantiles // placed→paid of paid orders
	calls    []callSample
	orders   []orderSample
	errors   map[string]errorSample
	errCount int

	kafkaByTopic map[string]int64 // messages during the run
	kafkaTotal   int64
	commands     commandCounts // store commands during the run
}

// summarize condenses a run.
func summarize(res loadResult, info runInfo) summary {
	calls, orders, errs := res.rec.snapshot()
	s := summary{info: info, streamEnd: res.streamEnd, end: res.end, interrupted: res.interrupted, stuck: res.stuck, byFinal: map[string]int{},
		steps: map[string]quantiles{}, calls: calls, orders: orders, errors: errs, accepted: len(orders)}
	byStep := map[string][]time.Duration{}
	for _, c := range calls {
		if c.errKind == "" {
			byStep[c.step] = append(byStep[c.step], c.latency)
		} else {
			s.errCount++
		}
	}
	for _, step := range steps {
		s.steps[step] = quantilesOf(byStep[step])
	}
	var settles []time.Duration
	var lastDone time.Duration
	paidInStream := 0
	for _, o := range orders {
		final := o.final
		if final == "" {
			final = "not terminal"
		}
		s.byFinal[final]++
		if o.final == "" {
			continue
		}
		lastDone = max(lastDone, o.doneAt)
		if o.doneAt > s.streamEnd {
			s.backlogAtStop++
		}
		if o.final == "paid" {
			s.paid++
			settles = append(settles, o.settle)
			if o.doneAt <= s.streamEnd {
				paidInStream++
			}
		}
	}
	s.backlogAtStop += s.byFinal["not terminal"]
	s.settle = quantilesOf(settles)
	s.drained = s.byFinal["not terminal"] == 0
	s.drain = max(0, lastDone-s.streamEnd)
	if sec := s.streamEnd.Seconds(); sec > 0 {
		s.paidPerSecond = float64(paidInStream) / sec
		accepted := 0
		for _, o := range orders {
			if o.placedAt <= s.streamEnd {
				accepted++
			}
		}
		s.acceptedPerSecond = float64(accepted) / sec
	}
	if lastDone > 0 {
		s.overallPerSecond = float64(s.paid) / lastDone.Seconds()
	}
	if info.after.offsets != nil {
		s.kafkaByTopic = map[string]int64{}
		for topic, n := range info.after.offsets {
			if d := n - info.before.offsets[topic]; d != 0 {
				s.kafkaByTopic[topic] = d
				s.kafkaTotal += d
			}
		}
	}
	if info.after.commands != nil {
		s.commands = storeDelta(info.before, info.after)
	}
	return s
}

// perPaid divides n by the paid orders (0 when none).
func (s summary) perPaid(n int64) float64 {
	if s.paid == 0 {
		return 0
	}
	return float64(n) / float64(s.paid)
}

// statusPolls is how many status reads loadgen sent.
func (s summary) statusPolls() int { return s.steps[stepStatus].n + s.errorsOf(stepStatus) }

// errorsOf counts the failed calls of step.
func (s summary) errorsOf(step string) int {
	n := 0
	for kind, e := range s.errors {
		if strings.HasPrefix(kind, step+" ") {
			n += e.count
		}
	}
	return n
}

// sortedKeys are m's keys, largest value first, then by name.
func sortedKeys[V int | int64](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
