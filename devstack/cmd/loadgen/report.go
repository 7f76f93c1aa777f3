package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// printReport writes the run's figures as text.
func printReport(out io.Writer, s summary) {
	w := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	cfg := s.info.cfg
	w("load:        %s mode, %s of new journeys, %d workers, %d shoppers%s; run took %s",
		cfg.mode, cfg.duration, cfg.concurrency, cfg.shoppers, rateNote(cfg.rate), s.end.Round(time.Millisecond))
	if p := s.info.preload; p != nil {
		w("preload:     %d orders, %d products, %d reservations, %d payments in %s (%s)",
			p.Orders, p.Products, p.Reservations, p.Payments, p.Elapsed.Round(time.Millisecond), finals(p.ByStatus))
	}
	for _, r := range s.info.restarts {
		w("restart:     %s ready %s after its restart on the preloaded store", r.service, r.ready.Round(time.Millisecond))
	}
	w("throughput:  %d paid orders; %.1f paid/s and %.1f accepted/s while the stream ran; %.1f paid/s until the last was paid",
		s.paid, s.paidPerSecond, s.acceptedPerSecond, s.overallPerSecond)
	w("final:       %s (of %d accepted orders)", finals(s.byFinal), s.accepted)
	w("placed→paid: %s  (server created_at → updated_at)", s.settle)
	for _, step := range steps {
		w("%-12s %s  (%s)", step+":", s.steps[step], stepDoc[step])
	}
	switch {
	case s.interrupted && !s.drained:
		w("drain:       INTERRUPTED before the drain ended: %s not terminal (%d when the stream stopped)", finals(s.stuck), s.backlogAtStop)
	case s.drained:
		w("drain:       %d orders not terminal when the stream stopped at %s; all terminal %s later", s.backlogAtStop, s.streamEnd.Round(time.Millisecond), s.drain.Round(time.Millisecond))
	default:
		w("drain:       NOT DRAINED after %s: %s still not terminal (%d when the stream stopped)", cfg.drainTimeout, finals(s.stuck), s.backlogAtStop)
	}
	if s.errCount > 0 {
		w("errors:      %d failed calls: %s", s.errCount, errorList(s.errors, 6))
	}
	if s.paid == 0 {
		w("no paid orders: no per-order figures")
		return
	}
	if s.kafkaByTopic != nil {
		var parts []string
		for _, topic := range sortedKeys(s.kafkaByTopic) {
			parts = append(parts, fmt.Sprintf("%s %.2f", topic, s.perPaid(s.kafkaByTopic[topic])))
		}
		w("kafka:       %.2f messages per paid order (%s); %d messages", s.perPaid(s.kafkaTotal), strings.Join(parts, ", "), s.kafkaTotal)
	}
	if s.commands == nil {
		return
	}
	writes, all := s.commands.split()
	var top []string
	for i, name := range s.commands.names() {
		if i == 8 {
			break
		}
		top = append(top, fmt.Sprintf("%s %.1f", name, s.perPaid(s.commands[name])))
	}
	w("store:       %.1f commands per paid order, %.1f of them writes (insert/update/delete/findAndModify); per order: %s",
		s.perPaid(all), s.perPaid(writes), strings.Join(top, ", "))
	w("             (loadgen's own status reads: %.1f GET /orders/{id} per paid order, each at least one find)", s.perPaid(int64(s.statusPolls())))
	p := s.info.probes
	loadSeconds := s.info.after.at.Sub(s.info.before.at).Seconds()
	if p != nil && p.idleFor > 0 {
		scale := loadSeconds / p.idleFor.Seconds()
		idleWrites, idleAll := p.idle.split()
		w("store net:   %.1f commands, %.1f writes per paid order after subtracting the idle background (%.0f commands/s, %.0f writes/s over %s before the load)",
			s.perPaid(all-int64(float64(idleAll)*scale)), s.perPaid(writes-int64(float64(idleWrites)*scale)),
			float64(idleAll)/p.idleFor.Seconds(), float64(idleWrites)/p.idleFor.Seconds(), p.idleFor.Round(time.Millisecond))
	}
	if raw := s.info.raw; raw.perSecond > 0 {
		w("store raw:   %.0f conditional updates/s over one connection (%d in %s, same run, after the load)", raw.perSecond, raw.updates, cfg.rawDuration)
		w("fraction:    %.1f paid/s = %.4f of the raw rate; store writes during the run %.0f/s = %.2f of the raw rate",
			s.paidPerSecond, s.paidPerSecond/raw.perSecond, float64(writes)/loadSeconds, float64(writes)/loadSeconds/raw.perSecond)
	}
}

// stepDoc says what each step measures.
var stepDoc = map[string]string{
	stepCart:     "PUT /cart/items/{id} round trip",
	stepCheckout: "POST /checkout round trip",
	stepStatus:   "GET /orders/{id} round trip",
}

// String is the distribution in one line.
func (q quantiles) String() string {
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s  n=%d", ms(q.p50), ms(q.p90), ms(q.p99), ms(q.max), q.n)
}

func rateNote(rate float64) string {
	if rate <= 0 {
		return ""
	}
	return fmt.Sprintf(", paced to %.1f journeys/s", rate)
}

// finals lists counts by name, largest first.
func finals(byFinal map[string]int) string {
	parts := make([]string, 0, len(byFinal))
	for _, name := range sortedKeys(byFinal) {
		parts = append(parts, fmt.Sprintf("%s %d", name, byFinal[name]))
	}
	return strings.Join(parts, ", ")
}

// errorKinds are the error kinds, most frequent first.
func errorKinds(errs map[string]errorSample) []string {
	kinds := make([]string, 0, len(errs))
	for k := range errs {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if errs[kinds[i]].count != errs[kinds[j]].count {
			return errs[kinds[i]].count > errs[kinds[j]].count
		}
		return kinds[i] < kinds[j]
	})
	return kinds
}

// errorList is the n most frequent error kinds with their counts.
func errorList(errs map[string]errorSample, n int) string {
	var parts []string
	for i, k := range errorKinds(errs) {
		if i == n {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", k, errs[k].count))
	}
	return strings.Join(parts, ", ")
}

// ms formats d in milliseconds with one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
