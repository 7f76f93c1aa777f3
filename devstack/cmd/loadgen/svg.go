package main

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// The plots are inline SVG drawn here, so the HTML report needs nothing
// but a browser: no script, no external file.

// palette colours the series of a chart in order.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"}

// Plot area of every chart, in SVG units.
const (
	chartW, chartH             = 760, 250
	marginL, marginR           = 64, 16
	marginT, marginB           = 34, 38
	plotW, plotH               = chartW - marginL - marginR, chartH - marginT - marginB
	legendStep                 = 170
	fontSize                   = 11
	axisColour, gridColour     = "#444", "#e4e4e4"
	markerColour, markerDashes = "#888", "4 3"
)

// lineChart is a chart of series over a run's timeline.
type lineChart struct {
	title, unit string
	tl          timeline
	series      []series
	// marker draws a dashed vertical line (the stream's stop) when > 0.
	marker time.Duration
}

// svg renders the chart.
func (c lineChart) svg() string {
	var b strings.Builder
	start(&b, c.title)
	xMax := float64(c.tl.buckets) * c.tl.width.Seconds()
	yMax := 0.0
	for _, s := range c.series {
		for _, v := range s.values {
			if !math.IsNaN(v) {
				yMax = math.Max(yMax, v)
			}
		}
	}
	yTop, yStep := niceScale(yMax)
	xTop, xStep := niceScale(xMax)
	x := func(sec float64) float64 { return marginL + sec/xTop*plotW }
	y := func(v float64) float64 { return marginT + plotH - v/yTop*plotH }
	for v := 0.0; v <= yTop+yStep/2; v += yStep {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>`, marginL, y(v), marginL+plotW, y(v), gridColour)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dy="4">%s</text>`, marginL-6, y(v), tick(v))
	}
	for v := 0.0; v <= xTop+xStep/2; v += xStep {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%ss</text>`, x(v), marginT+plotH+16, tick(v))
	}
	axes(&b, c.unit)
	if c.marker > 0 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="%s"><title>stream stopped</title></line>`,
			x(c.marker.Seconds()), marginT, x(c.marker.Seconds()), marginT+plotH, markerColour, markerDashes)
	}
	half := c.tl.width.Seconds() / 2
	for i, s := range c.series {
		colour := palette[i%len(palette)]
		var pts []string
		flush := func() {
			if len(pts) == 1 {
				fmt.Fprintf(&b, `<circle cx="%s" r="2" fill="%s"/>`, strings.Replace(pts[0], ",", `" cy="`, 1), colour)
			} else if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.6" points="%s"/>`, colour, strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for k, v := range s.values {
			if math.IsNaN(v) {
				flush()
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(float64(k)*c.tl.width.Seconds()+half), y(v)))
		}
		flush()
		legend(&b, i, s.name, colour)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// barChart is a latency histogram.
type barChart struct {
	title string
	h     histogram
	// marks are labelled vertical lines at durations (p50, p99).
	marks []mark
}

// mark is a labelled position on a histogram.
type mark struct {
	label string
	at    time.Duration
}

// svg renders the histogram with a logarithmic duration axis.
func (c barChart) svg() string {
	var b strings.Builder
	start(&b, c.title)
	n := len(c.h.counts)
	if n == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">no samples</text></svg>`, marginL, marginT+plotH/2)
		return b.String()
	}
	most := 0
	for _, v := range c.h.counts {
		most = max(most, v)
	}
	yTop, yStep := niceScale(float64(most))
	barW := float64(plotW) / float64(n)
	y := func(v float64) float64 { return marginT + plotH - v/yTop*plotH }
	for v := 0.0; v <= yTop+yStep/2; v += yStep {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>`, marginL, y(v), marginL+plotW, y(v), gridColour)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dy="4">%s</text>`, marginL-6, y(v), tick(v))
	}
	for i, v := range c.h.counts {
		x0 := marginL + float64(i)*barW
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s–%s: %d</title></rect>`,
			x0+0.5, y(float64(v)), math.Max(barW-1, 0.5), float64(marginT+plotH)-y(float64(v)), palette[0],
			durLabel(c.h.bound(i)), durLabel(c.h.bound(i+1)), v)
		if d, ok := roundBound(c.h.bound(i)); ok {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>`, x0, marginT+plotH, x0, marginT+plotH+4, axisColour)
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x0, marginT+plotH+16, durLabel(d))
		}
	}
	axes(&b, "calls")
	logPos := func(d time.Duration) float64 {
		us := math.Max(1, float64(d)/float64(time.Microsecond))
		return marginL + (math.Log10(us)*float64(c.h.perDecade)-float64(c.h.first))*barW
	}
	for i, m := range c.marks {
		px := logPos(m.at)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="%s"/>`,
			px, marginT, px, marginT+plotH, palette[1+i%(len(palette)-1)], markerDashes)
		anchor, tx := "start", px+3
		if px > marginL+plotW-80 {
			anchor, tx = "end", px-3
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="%s" fill="%s" stroke="#fff" stroke-width="3" paint-order="stroke">%s %s</text>`, tx, marginT+10+12*i, anchor,
			palette[1+i%(len(palette)-1)], html.EscapeString(m.label), durLabel(m.at))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// start opens an SVG element with the chart's title.
func start(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="sans-serif" font-size="%d">`,
		chartW, chartH, chartW, chartH, fontSize)
	fmt.Fprintf(b, `<text x="%d" y="16" font-size="13" font-weight="bold">%s</text>`, marginL, html.EscapeString(title))
}

// axes draws the x and y axes and the y unit.
func axes(b *strings.Builder, unit string) {
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>`, marginL, marginT, marginL, marginT+plotH, axisColour)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>`, marginL, marginT+plotH, marginL+plotW, marginT+plotH, axisColour)
	fmt.Fprintf(b, `<text x="12" y="%d" transform="rotate(-90 12 %d)" text-anchor="middle">%s</text>`,
		marginT+plotH/2, marginT+plotH/2, html.EscapeString(unit))
}

// legend draws series i's name between the title and the plot.
func legend(b *strings.Builder, i int, name, colour string) {
	lx := marginL + (i%4)*legendStep
	ly := 24 + (i/4)*12
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="10" height="3" fill="%s"/><text x="%d" y="%d">%s</text>`,
		lx, ly, colour, lx+14, ly+4, html.EscapeString(name))
}

// niceScale rounds max up to a 1-2-5 multiple of a step giving about five
// grid lines; it returns the top and the step (1 and 0.2 for max ≤ 0).
func niceScale(maxV float64) (top, step float64) {
	if maxV <= 0 || math.IsNaN(maxV) || math.IsInf(maxV, 0) {
		return 1, 0.2
	}
	raw := maxV / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch f := raw / mag; {
	case f < 1.5:
		step = mag
	case f < 3:
		step = 2 * mag
	case f < 7:
		step = 5 * mag
	default:
		step = 10 * mag
	}
	return math.Ceil(maxV/step) * step, step
}

// tick formats an axis value without needless decimals.
func tick(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

// roundBound rounds a bucket bound to one significant digit and says
// whether it is (within 1%) a 1, 2 or 5 times a power of ten, the bounds
// worth a label.
func roundBound(d time.Duration) (time.Duration, bool) {
	if d <= 0 {
		return 0, false
	}
	mag := math.Pow(10, math.Floor(math.Log10(float64(d))))
	lead := math.Round(float64(d) / mag)
	r := time.Duration(lead * mag)
	near := math.Abs(float64(r-d)) <= 0.01*float64(d)
	return r, near && (lead == 1 || lead == 2 || lead == 5 || lead == 10)
}

// durLabel is a short duration for axis labels: 850µs, 12ms, 1.5s.
func durLabel(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return tick(math.Round(msFloat(d)*10)/10) + "ms"
	default:
		return tick(math.Round(d.Seconds()*100)/100) + "s"
	}
}
