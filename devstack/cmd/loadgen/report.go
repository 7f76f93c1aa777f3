package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// printReport writes the run's figures.
func printReport(out io.Writer, cfg config, s summary, p *probes, before, after snapshot, raw rawResult) {
	w := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	total := 0
	for _, n := range s.byFinal {
		total += n
	}
	w("load:        %s of new journeys, %d workers, %d shoppers; run took %s", cfg.duration, cfg.concurrency, cfg.shoppers, s.elapsed.Round(time.Millisecond))
	w("throughput:  %d paid orders = %.1f orders/s", s.paid, s.ordersPerSecond)
	w("final:       %s (of %d journeys)", finals(s.byFinal), total)
	w("checkout:    p50 %s  p99 %s  (POST /checkout round trip, n=%d)", ms(percentile(s.checkouts, 50)), ms(percentile(s.checkouts, 99)), len(s.checkouts))
	w("placed→paid: p50 %s  p99 %s  (poll every %s, n=%d)", ms(percentile(s.settles, 50)), ms(percentile(s.settles, 99)), cfg.pollInterval, len(s.settles))
	for _, err := range s.firstErrors {
		w("error:       %v", err)
	}
	if s.paid == 0 {
		w("no paid orders: no per-order figures")
		return
	}
	perOrder := func(n int64) float64 { return float64(n) / float64(s.paid) }
	if after.offsets != nil {
		var sum int64
		var parts []string
		for _, topic := range sortedTopics(after.offsets) {
			d := after.offsets[topic] - before.offsets[topic]
			if d == 0 {
				continue
			}
			sum += d
			parts = append(parts, fmt.Sprintf("%s %.2f", topic, perOrder(d)))
		}
		w("kafka:       %.2f messages per paid order (%s); %d messages", perOrder(sum), strings.Join(parts, ", "), sum)
	}
	if after.commands == nil {
		return
	}
	delta := commandDelta(before.commands, after.commands)
	writes, all := delta.split()
	var top []string
	for i, name := range delta.names() {
		if i == 8 {
			break
		}
		top = append(top, fmt.Sprintf("%s %.1f", name, perOrder(delta[name])))
	}
	w("store:       %.1f commands per paid order, %.1f of them writes (insert/update/delete/findAndModify); per order: %s",
		perOrder(all), perOrder(writes), strings.Join(top, ", "))
	w("             (the load generator's own status polls: %.1f GET /orders/{id} per paid order, each at least one find)", perOrder(int64(s.polls)))
	if p.idleFor > 0 {
		scale := after.at.Sub(before.at).Seconds() / p.idleFor.Seconds()
		idleWrites, idleAll := p.idle.split()
		w("store net:   %.1f commands, %.1f writes per paid order after subtracting the idle background (%.0f commands/s, %.0f writes/s over %s before the load)",
			perOrder(all-int64(float64(idleAll)*scale)), perOrder(writes-int64(float64(idleWrites)*scale)),
			float64(idleAll)/p.idleFor.Seconds(), float64(idleWrites)/p.idleFor.Seconds(), p.idleFor.Round(time.Millisecond))
	}
	if raw.perSecond > 0 {
		loadSeconds := after.at.Sub(before.at).Seconds()
		w("store raw:   %.0f conditional updates/s over one connection (%d in %s, same run, after the load)", raw.perSecond, raw.updates, cfg.rawDuration)
		w("fraction:    %.1f orders/s = %.4f of the raw rate; store writes during the load %.0f/s = %.2f of the raw rate",
			s.ordersPerSecond, s.ordersPerSecond/raw.perSecond, float64(writes)/loadSeconds, float64(writes)/loadSeconds/raw.perSecond)
	}
}

// finals lists the counts by final status, largest first.
func finals(byFinal map[string]int) string {
	names := make([]string, 0, len(byFinal))
	for name := range byFinal {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if byFinal[names[i]] != byFinal[names[j]] {
			return byFinal[names[i]] > byFinal[names[j]]
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s %d", name, byFinal[name])
	}
	return strings.Join(parts, ", ")
}

func sortedTopics(o topicOffsets) []string {
	topics := make([]string, 0, len(o))
	for t := range o {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	return topics
}

// ms formats d in milliseconds with one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
