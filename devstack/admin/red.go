package admin

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TargetsPath serves the services' metrics addresses: GET returns
// {"targets": {"orders": "127.0.0.1:8083", ...}}.
const TargetsPath = "/targets"

// Targets is the body of GET /targets: service name -> host:port of its
// /metrics.
type Targets struct {
	Targets map[string]string `json:"targets"`
}

// TargetsHandler serves targets at TargetsPath, for `devstack status`.
func TargetsHandler(targets map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writeProblem(w, http.StatusMethodNotAllowed, "method not allowed", r.Method)
			return
		}
		writeJSON(w, http.StatusOK, Targets{Targets: targets})
	})
}

// Targets returns every service's metrics address (host:port).
func (c *Client) Targets(ctx context.Context) (map[string]string, error) {
	var t Targets
	if err := c.do(ctx, http.MethodGet, TargetsPath, &t); err != nil {
		return nil, fmt.Errorf("metrics targets: %w", err)
	}
	return t.Targets, nil
}

// probeRoutes are not traffic: RED leaves them out.
var probeRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// REDSample is one scrape of a service's HTTP metrics, probes excluded.
type REDSample struct {
	// Requests and Errors (5xx) are the counters' totals.
	Requests, Errors float64
	// Buckets are the cumulative counts of the request duration histogram
	// by upper bound, summed over routes.
	Buckets map[float64]float64
}

// ScrapeRED reads mercato_http_requests_total and
// mercato_http_request_duration_seconds from a /metrics URL.
func ScrapeRED(ctx context.Context, hc *http.Client, metricsURL string) (REDSample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	if err != nil {
		return REDSample{}, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return REDSample{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return REDSample{}, fmt.Errorf("%s: %s", metricsURL, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return REDSample{}, fmt.Errorf("%s: %w", metricsURL, err)
	}
	s := REDSample{Buckets: map[float64]float64{}}
	if f := families["mercato_http_requests_total"]; f != nil {
		for _, m := range f.GetMetric() {
			if probeRoutes[label(m, "route")] {
				continue
			}
			s.Requests += m.GetCounter().GetValue()
			if strings.HasPrefix(label(m, "status"), "5") {
				s.Errors += m.GetCounter().GetValue()
			}
		}
	}
	if f := families["mercato_http_request_duration_seconds"]; f != nil {
		for _, m := range f.GetMetric() {
			if probeRoutes[label(m, "route")] {
				continue
			}
			hasInf := false
			for _, b := range m.GetHistogram().GetBucket() {
				s.Buckets[b.GetUpperBound()] += float64(b.GetCumulativeCount())
				hasInf = hasInf || math.IsInf(b.GetUpperBound(), 1)
			}
			if !hasInf {
				s.Buckets[math.Inf(1)] += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return s, nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// RED are a service's request rate, error rate and p99 between two samples.
type RED struct {
	// Rate is requests per second; ErrorRate is 5xx answers per second.
	Rate, ErrorRate float64
	// P99 is the 99th percentile of the request duration in seconds,
	// interpolated within its histogram bucket as Prometheus's
	// histogram_quantile does; NaN without requests.
	P99 float64
}

// REDBetween computes RED from before to after, seconds apart. A counter
// that went down (the service restarted) counts from zero.
func REDBetween(before, after REDSample, seconds float64) RED {
	if after.Requests < before.Requests {
		before = REDSample{Buckets: map[float64]float64{}}
	}
	r := RED{P99: math.NaN()}
	if seconds > 0 {
		r.Rate = (after.Requests - before.Requests) / seconds
		r.ErrorRate = (after.Errors - before.Errors) / seconds
	}
	bounds := make([]float64, 0, len(after.Buckets))
	for b := range after.Buckets {
		bounds = append(bounds, b)
	}
	sort.Float64s(bounds)
	counts := make([]float64, len(bounds))
	for i, b := range bounds {
		counts[i] = after.Buckets[b] - before.Buckets[b]
	}
	r.P99 = quantile(0.99, bounds, counts)
	return r
}

// quantile is histogram_quantile over cumulative counts by sorted bounds
// (the last is +Inf).
func quantile(q float64, bounds, counts []float64) float64 {
	if len(bounds) == 0 || counts[len(counts)-1] <= 0 {
		return math.NaN()
	}
	rank := q * counts[len(counts)-1]
	for i, c := range counts {
		if c < rank {
			continue
		}
		if math.IsInf(bounds[i], 1) {
			if i == 0 {
				return math.NaN()
			}
			return bounds[i-1] // as Prometheus: the highest finite bound
		}
		lower, below := 0.0, 0.0
		if i > 0 {
			lower, below = bounds[i-1], counts[i-1]
		}
		if c == below {
			return bounds[i]
		}
		return lower + (bounds[i]-lower)*(rank-below)/(c-below)
	}
	return math.NaN()
}

// FormatRED renders r for the status table: "12.5/s", "0.0/s", "35ms".
func FormatRED(r RED) (rate, errRate, p99 string) {
	rate = strconv.FormatFloat(r.Rate, 'f', 1, 64) + "/s"
	errRate = strconv.FormatFloat(r.ErrorRate, 'f', 1, 64) + "/s"
	switch {
	case math.IsNaN(r.P99):
		p99 = "-"
	case r.P99 < 1:
		p99 = strconv.FormatFloat(r.P99*1000, 'f', 1, 64) + "ms"
	default:
		p99 = strconv.FormatFloat(r.P99, 'f', 2, 64) + "s"
	}
	return rate, errRate, p99
}
