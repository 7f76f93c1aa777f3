package chaos

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// WriteHTML writes the report as one self-contained page: the figures,
// the violations, and a timeline of the faults over throughput and
// latency as inline SVG.
func (rep *Report) WriteHTML(w io.Writer) error {
	data := struct {
		R          *Report
		Verdict    string
		Throughput template.HTML
		Latency    template.HTML
		Settle     template.HTML
		Text       string
		LoadEnd    time.Duration
		LastFault  time.Duration
		Drain      time.Duration
	}{R: rep, Verdict: "PASS", Text: rep.Text(), LoadEnd: rep.LoadEnd.Round(time.Second),
		LastFault: rep.LastFault.Round(time.Second), Drain: rep.Drain.Round(time.Millisecond)}
	if !rep.OK() {
		data.Verdict = "FAIL"
	}
	data.Throughput = rep.chart("per second", []series{
		{"checkouts accepted", "#2b7bb9", func(s Second) float64 { return float64(s.Checkouts) }},
		{"orders settled", "#3a9d5d", func(s Second) float64 { return float64(s.Terminal) }},
		{"failed calls", "#d0453a", func(s Second) float64 { return float64(s.Errors) }},
	})
	data.Latency = rep.chart("ms", []series{
		{"checkout p50", "#8a6fbf", func(s Second) float64 { return ms(s.CheckoutP50) }},
		{"checkout p95", "#5a3d99", func(s Second) float64 { return ms(s.CheckoutP95) }},
	})
	data.Settle = rep.chart("seconds", []series{
		{"placed→settled p95", "#c98a1b", func(s Second) float64 { return s.SettleP95.Seconds() }},
	})
	if err := pageTemplate.Execute(w, data); err != nil {
		return fmt.Errorf("chaos: html report: %w", err)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// series is one line of a chart.
type series struct {
	name, color string
	value       func(Second) float64
}

// Chart geometry, in SVG units.
const (
	chartW, chartH = 1000.0, 220.0
	padL, padB     = 50.0, 20.0
)

// chart draws the series over the timeline with the fault spans shaded.
func (rep *Report) chart(unit string, ss []series) template.HTML {
	n := max(len(rep.Timeline), 1)
	top := 1.0
	for _, s := range ss {
		for _, sec := range rep.Timeline {
			top = max(top, s.value(sec))
		}
	}
	x := func(sec float64) float64 { return padL + (chartW-padL)*sec/float64(n) }
	y := func(v float64) float64 { return (chartH - padB) * (1 - v/top) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %.0f %.0f" width="100%%" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="10">`, chartW, chartH+30)
	for i, f := range rep.Faults {
		x0, x1 := x(f.Start.Seconds()), x(f.End.Seconds())
		fill := "#f3d6d3"
		if f.Err != "" {
			fill = "#e88"
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="0" width="%.1f" height="%.0f" fill="%s"><title>%s</title></rect>`, x0, max(x1-x0, 1.5), chartH-padB, fill, template.HTMLEscapeString(f.Name))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#933">%s</text>`, x0+2, 10+(i%3)*11, template.HTMLEscapeString(f.Name))
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#999"/>`, padL, chartH-padB, chartW, chartH-padB)
	fmt.Fprintf(&b, `<text x="2" y="10">%.4g</text><text x="2" y="%.0f">0</text><text x="2" y="%.0f">%s</text>`, top, chartH-padB, (chartH-padB)/2, unit)
	for t := 0; t < n; t += 10 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%ds</text>`, x(float64(t)), chartH-5, t)
	}
	for i, s := range ss {
		var pts []string
		for j, sec := range rep.Timeline {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(float64(j)+0.5), y(s.value(sec))))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`, s.color, strings.Join(pts, " "))
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="10" height="10" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`,
			padL+float64(i)*180, chartH+8, s.color, padL+float64(i)*180+14, chartH+17, template.HTMLEscapeString(s.name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // G203: built here from numbers and escaped names
}

var pageTemplate = template.Must(template.New("chaos").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mercato chaos report: {{.Verdict}}</title>
<style>
body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}
h1 .PASS{color:#2a7d46}h1 .FAIL{color:#b3261e}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
.violation{color:#b3261e;font-weight:bold}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}
</style></head><body>
<h1>Chaos {{.R.Profile.Name}} profile: <span class="{{.Verdict}}">{{.Verdict}}</span></h1>
<p>{{.R.Profile.Shoppers}} shoppers; load {{.LoadEnd}}; last fault ended at {{.LastFault}};
{{if .R.Drained}}drained {{.Drain}} after it{{else}}not drained{{end}}.</p>
{{range .R.Violations}}<p class="violation">{{.}}</p>{{end}}
<h2>Timeline: faults over throughput</h2>
{{.Throughput}}
<h2>Timeline: faults over checkout latency</h2>
{{.Latency}}
<h2>Timeline: faults over the time from checkout to a final status</h2>
{{.Settle}}
<h2>Figures</h2>
<table>
<tr><th>orders accepted</th><td>{{.R.Audit.Accepted}}</td></tr>
<tr><th>orders listed</th><td>{{.R.Audit.Listed}}</td></tr>
<tr><th>lost</th><td>{{len .R.Audit.Lost}}</td></tr>
<tr><th>stuck</th><td>{{len .R.Audit.Stuck}}</td></tr>
<tr><th>double charges</th><td>{{len .R.Audit.DoubleCharged}}</td></tr>
<tr><th>cancelled keeping money</th><td>{{len .R.Audit.KeptMoney}}</td></tr>
<tr><th>paid without money</th><td>{{len .R.Audit.Unpaid}}</td></tr>
<tr><th>stock</th><td>{{if .R.Audit.Stock}}{{range .R.Audit.Stock}}{{.}}<br>{{end}}{{else}}exact{{end}}</td></tr>
<tr><th>dead letters</th><td>{{range $t, $n := .R.Audit.DeadLetters}}{{$t}} {{$n}}<br>{{end}}</td></tr>
</table>
<h2>Faults</h2>
<table><tr><th>fault</th><th>from</th><th>to</th><th>result</th></tr>
{{range .R.Faults}}<tr><td>{{.Name}}</td><td>{{printf "%.1fs" .Start.Seconds}}</td><td>{{printf "%.1fs" .End.Seconds}}</td><td>{{if .Err}}{{.Err}}{{else}}recovered{{end}}</td></tr>{{end}}
</table>
<h2>Text report</h2>
<pre>{{.Text}}</pre>
</body></html>
`))
