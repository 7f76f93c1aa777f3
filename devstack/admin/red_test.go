package admin_test

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/devstack/admin"
	"github.com/mercato-shop/mercato/platform/metrics"
)

// metricsServer runs gin with the services' real HTTP metrics middleware:
// /ok answers 200 after delay, /fail 500, /readyz 200 (a probe), and
// /metrics serves the registry.
func metricsServer(t *testing.T, delay time.Duration) (app, metricsURL string) {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	reg := metrics.NewRegistry("svc")
	m, err := metrics.NewHTTP(reg, "svc")
	if err != nil {
		t.Fatal(err)
	}
	engine := gin.New()
	engine.Use(m.Middleware())
	engine.GET("/ok", func(c *gin.Context) { time.Sleep(delay); c.Status(http.StatusOK) })
	engine.GET("/fail", func(c *gin.Context) { c.Status(http.StatusInternalServerError) })
	engine.GET("/readyz", func(c *gin.Context) { c.Status(http.StatusOK) })
	srv := httptest.NewServer(engine)
	t.Cleanup(srv.Close)
	metricsSrv := httptest.NewServer(metrics.Handler(reg))
	t.Cleanup(metricsSrv.Close)
	return srv.URL, metricsSrv.URL
}

func get(t *testing.T, url string, n int) {
	t.Helper()
	for range n {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
}

func TestScrapeREDCountsTrafficAndErrorsButNotProbes(t *testing.T) {
	app, metricsURL := metricsServer(t, 30*time.Millisecond)
	before, err := admin.ScrapeRED(t.Context(), http.DefaultClient, metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	if before.Requests != 0 {
		t.Fatalf("requests before any traffic: %v", before.Requests)
	}
	get(t, app+"/ok", 10)
	get(t, app+"/fail", 2)
	get(t, app+"/readyz", 50)
	after, err := admin.ScrapeRED(t.Context(), http.DefaultClient, metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	if after.Requests != 12 || after.Errors != 2 {
		t.Fatalf("requests %v errors %v, want 12 and 2 (probes excluded)", after.Requests, after.Errors)
	}
	red := admin.REDBetween(before, after, 2)
	if red.Rate != 6 || red.ErrorRate != 1 {
		t.Fatalf("rate %v/s errors %v/s, want 6 and 1", red.Rate, red.ErrorRate)
	}
	// 10 of 12 requests took >= 30 ms: the p99 lies in the (25 ms, 50 ms] bucket.
	if red.P99 <= 0.025 || red.P99 > 0.05 {
		t.Fatalf("p99 %v s, want within (0.025, 0.05]", red.P99)
	}
	if rate, errs, p99 := admin.FormatRED(red); rate != "6.0/s" || errs != "1.0/s" || p99[len(p99)-2:] != "ms" {
		t.Fatalf("FormatRED = %q %q %q", rate, errs, p99)
	}
}

func TestREDBetweenWithoutTrafficOrAfterARestart(t *testing.T) {
	s := admin.REDSample{Requests: 5, Buckets: map[float64]float64{0.1: 5, math.Inf(1): 5}}
	if r := admin.REDBetween(s, s, 2); r.Rate != 0 || !math.IsNaN(r.P99) {
		t.Fatalf("idle: %+v, want rate 0 and no p99", r)
	}
	restarted := admin.REDSample{Requests: 2, Buckets: map[float64]float64{0.1: 2, math.Inf(1): 2}}
	if r := admin.REDBetween(s, restarted, 2); r.Rate != 1 || r.P99 <= 0 || r.P99 > 0.1 {
		t.Fatalf("after a restart: %+v, want the new process's 2 requests", r)
	}
}
