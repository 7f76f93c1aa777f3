package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// maxBuckets bounds the points of a line chart.
const maxBuckets = 150

// writeHTML writes the report as one self-contained HTML page: the
// figures, plots of throughput, backlog and latency percentiles over
// time, per-step latency histograms, errors, and store commands and Kafka
// messages per paid order.
func writeHTML(out io.Writer, s summary) error {
	var b strings.Builder
	tl := newTimeline(s.end, maxBuckets)
	b.WriteString("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Mercato loadgen report</title>\n<style>")
	b.WriteString(`body{font-family:sans-serif;margin:24px;max-width:1600px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}` +
		`table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}` +
		`td.n{text-align:right;font-variant-numeric:tabular-nums}.charts{display:flex;flex-wrap:wrap;gap:12px}` +
		`code{font-size:12px;background:#f4f4f4;padding:1px 4px}.bad{color:#b00;font-weight:bold}`)
	b.WriteString("</style></head><body>\n")
	fmt.Fprintf(&b, "<h1>Mercato loadgen — %s</h1>\n", esc(s.info.started.UTC().Format("2006-01-02 15:04:05 MST")))
	fmt.Fprintf(&b, "<p><code>%s</code><br>gateway %s; %s</p>\n", esc(strings.Join(os.Args, " ")), esc(s.info.gateway), esc(s.info.seeded))
	figures(&b, s)

	b.WriteString("<h2>Over time</h2><div class=\"charts\">\n")
	b.WriteString(s.throughputChart(tl).svg())
	b.WriteString(s.backlogChart(tl).svg())
	b.WriteString(s.latencyChart(tl, "placed→paid", "").svg())
	b.WriteString(s.latencyChart(tl, "checkout", stepCheckout).svg())
	b.WriteString(s.latencyChart(tl, "status read", stepStatus).svg())
	if c, ok := s.costChart(tl); ok {
		b.WriteString(c.svg())
	}
	b.WriteString("</div>\n<h2>Latency histograms</h2><div class=\"charts\">\n")
	for _, c := range s.histograms() {
		b.WriteString(c.svg())
	}
	b.WriteString("</div>\n")
	tables(&b, s)
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(out, b.String())
	return err
}

// figures writes the headline table.
func figures(b *strings.Builder, s summary) {
	cfg := s.info.cfg
	rows := [][2]string{
		{"load", fmt.Sprintf("%s mode, %d workers, %d shoppers, %s stream%s; run %s", cfg.mode, cfg.concurrency, cfg.shoppers,
			cfg.duration, rateNote(cfg.rate), s.end.Round(time.Millisecond))},
		{"paid orders", fmt.Sprintf("%d of %d accepted", s.paid, s.accepted)},
		{"paid orders/s (while the stream ran)", fmt.Sprintf("%.2f", s.paidPerSecond)},
		{"accepted orders/s (while the stream ran)", fmt.Sprintf("%.2f", s.acceptedPerSecond)},
		{"paid orders/s (until the last was paid)", fmt.Sprintf("%.2f", s.overallPerSecond)},
		{"placed→paid", s.settle.String()},
	}
	for _, step := range steps {
		rows = append(rows, [2]string{step + " (" + stepDoc[step] + ")", s.steps[step].String()})
	}
	drain := fmt.Sprintf("%s after the stream stopped (%d orders not terminal then)", s.drain.Round(time.Millisecond), s.backlogAtStop)
	switch {
	case s.interrupted && !s.drained:
		drain = fmt.Sprintf(`<span class="bad">interrupted before the drain ended: %s</span>`, esc(finals(s.stuck)))
	case !s.drained:
		drain = fmt.Sprintf(`<span class="bad">not drained after %s: %s</span>`, cfg.drainTimeout, esc(finals(s.stuck)))
	default:
		drain = esc(drain)
	}
	rows = append(rows, [2]string{"backlog drain", drain}, [2]string{"failed calls", fmt.Sprintf("%d", s.errCount)})
	if s.kafkaByTopic != nil {
		rows = append(rows, [2]string{"Kafka messages per paid order", fmt.Sprintf("%.2f (%d messages)", s.perPaid(s.kafkaTotal), s.kafkaTotal)})
	}
	if s.commands != nil {
		writes, all := s.commands.split()
		rows = append(rows, [2]string{"store commands per paid order", fmt.Sprintf("%.1f, %.1f of them writes (%d commands; includes %.1f status reads per order by loadgen)",
			s.perPaid(all), s.perPaid(writes), all, s.perPaid(int64(s.statusPolls())))})
	}
	if raw := s.info.raw; raw.perSecond > 0 {
		rows = append(rows, [2]string{"store raw rate", fmt.Sprintf("%.0f conditional updates/s over one connection; paid/s = %.4f of it", raw.perSecond, s.paidPerSecond/raw.perSecond)})
	}
	if p := s.info.preload; p != nil {
		rows = append(rows, [2]string{"preload", fmt.Sprintf("%d orders, %d products, %d reservations, %d payments in %s (%s)",
			p.Orders, p.Products, p.Reservations, p.Payments, p.Elapsed.Round(time.Millisecond), finals(p.ByStatus))})
	}
	for _, r := range s.info.restarts {
		rows = append(rows, [2]string{"restart of " + r.service, "ready after " + r.ready.Round(time.Millisecond).String()})
	}
	b.WriteString("<table>\n")
	for _, r := range rows {
		v := r[1]
		if !strings.HasPrefix(v, "<span") {
			v = esc(v)
		}
		fmt.Fprintf(b, "<tr><th>%s</th><td>%s</td></tr>\n", esc(r[0]), v)
	}
	b.WriteString("</table>\n")
}

// throughputChart plots accepted, paid and failed per second.
func (s summary) throughputChart(tl timeline) lineChart {
	var accepted, paid, failed []time.Duration
	for _, o := range s.orders {
		accepted = append(accepted, o.placedAt)
		if o.final == "paid" {
			paid = append(paid, o.doneAt)
		}
	}
	for _, c := range s.calls {
		if c.errKind != "" {
			failed = append(failed, c.at)
		}
	}
	return lineChart{title: "Throughput", unit: "per second", tl: tl, marker: s.streamEnd,
		series: []series{tl.rate("accepted orders/s", accepted), tl.rate("paid orders/s", paid), tl.rate("failed calls/s", failed)}}
}

// backlogChart plots the accepted orders not terminal yet, at each
// window's end.
func (s summary) backlogChart(tl timeline) lineChart {
	v := make([]float64, tl.buckets)
	for i := range v {
		end := time.Duration(i+1) * tl.width
		for _, o := range s.orders {
			if o.placedAt <= end && (o.final == "" || o.doneAt > end) {
				v[i]++
			}
		}
	}
	return lineChart{title: "Backlog (accepted, not terminal)", unit: "orders", tl: tl, marker: s.streamEnd,
		series: []series{{name: "orders in the saga", values: v}}}
}

// latencyChart plots p50, p90 and p99 per window of a step's calls, or of
// placed→paid (by the time the order was paid) when step is empty.
func (s summary) latencyChart(tl timeline, title, step string) lineChart {
	var ats, lats []time.Duration
	if step == "" {
		for _, o := range s.orders {
			if o.final == "paid" {
				ats, lats = append(ats, o.doneAt), append(lats, o.settle)
			}
		}
	} else {
		for _, c := range s.calls {
			if c.step == step && c.errKind == "" {
				ats, lats = append(ats, c.at), append(lats, c.latency)
			}
		}
	}
	return lineChart{title: title + " latency percentiles", unit: "ms", tl: tl, marker: s.streamEnd, series: []series{
		tl.percentiles("p50", ats, lats, 50), tl.percentiles("p90", ats, lats, 90), tl.percentiles("p99", ats, lats, 99)}}
}

// costChart plots store commands and Kafka messages per second, and per
// paid order in each window, from the counters sampled during the run.
func (s summary) costChart(tl timeline) (lineChart, bool) {
	pts := s.info.points
	if len(pts) < 2 {
		return lineChart{}, false
	}
	cmds, msgs := make([]float64, tl.buckets), make([]float64, tl.buckets)
	for i := 1; i < len(pts); i++ {
		k := tl.index(pts[i].at)
		cmds[k] += float64(pts[i].commands - pts[i-1].commands - (pts[i].ownCalls - pts[i-1].ownCalls))
		msgs[k] += float64(pts[i].kafka - pts[i-1].kafka)
	}
	paid := tl.rate("", nil).values
	for _, o := range s.orders {
		if o.final == "paid" {
			paid[tl.index(o.doneAt)]++
		}
	}
	perCmd, perMsg := make([]float64, tl.buckets), make([]float64, tl.buckets)
	for k := range cmds {
		perCmd[k], perMsg[k] = math.NaN(), math.NaN()
		if paid[k] > 0 {
			perCmd[k], perMsg[k] = cmds[k]/paid[k], msgs[k]/paid[k]
		}
	}
	return lineChart{title: "Cost per paid order (in each window)", unit: "per paid order", tl: tl, marker: s.streamEnd,
		series: []series{{name: "store commands", values: perCmd}, {name: "Kafka messages", values: perMsg}}}, true
}

// histograms are the per-step latency distributions.
func (s summary) histograms() []barChart {
	byStep := map[string][]time.Duration{}
	for _, c := range s.calls {
		if c.errKind == "" {
			byStep[c.step] = append(byStep[c.step], c.latency)
		}
	}
	for _, o := range s.orders {
		if o.final == "paid" {
			byStep["placed→paid"] = append(byStep["placed→paid"], o.settle)
		}
	}
	var out []barChart
	for _, step := range append([]string{"placed→paid"}, steps...) {
		q := quantilesOf(byStep[step])
		out = append(out, barChart{title: fmt.Sprintf("%s (n=%d)", step, q.n), h: newHistogram(byStep[step], 10),
			marks: []mark{{"p50", q.p50}, {"p99", q.p99}}})
	}
	return out
}

// tables writes final statuses, errors, store commands and Kafka topics.
func tables(b *strings.Builder, s summary) {
	b.WriteString("<h2>Orders by final status</h2><table><tr><th>status</th><th>orders</th></tr>\n")
	for _, k := range sortedKeys(s.byFinal) {
		fmt.Fprintf(b, "<tr><td>%s</td><td class=\"n\">%d</td></tr>\n", esc(k), s.byFinal[k])
	}
	b.WriteString("</table>\n<h2>Errors</h2>")
	if len(s.errors) == 0 {
		b.WriteString("<p>No failed calls.</p>\n")
	} else {
		b.WriteString("<table><tr><th>step and kind</th><th>calls</th><th>first message</th></tr>\n")
		for _, k := range errorKinds(s.errors) {
			fmt.Fprintf(b, "<tr><td>%s</td><td class=\"n\">%d</td><td><code>%s</code></td></tr>\n", esc(k), s.errors[k].count, esc(s.errors[k].example))
		}
		b.WriteString("</table>\n")
	}
	if s.commands != nil {
		b.WriteString("<h2>Store commands during the run</h2><table><tr><th>command</th><th>total</th><th>per paid order</th></tr>\n")
		for _, name := range s.commands.names() {
			fmt.Fprintf(b, "<tr><td>%s</td><td class=\"n\">%d</td><td class=\"n\">%.2f</td></tr>\n", esc(name), s.commands[name], s.perPaid(s.commands[name]))
		}
		b.WriteString("</table>\n")
	}
	if s.kafkaByTopic != nil {
		b.WriteString("<h2>Kafka messages during the run</h2><table><tr><th>topic</th><th>messages</th><th>per paid order</th></tr>\n")
		for _, topic := range sortedKeys(s.kafkaByTopic) {
			fmt.Fprintf(b, "<tr><td>%s</td><td class=\"n\">%d</td><td class=\"n\">%.2f</td></tr>\n", esc(topic), s.kafkaByTopic[topic], s.perPaid(s.kafkaByTopic[topic]))
		}
		b.WriteString("</table>\n")
	}
}

func esc(s string) string { return html.EscapeString(s) }
