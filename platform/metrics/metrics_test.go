package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// sample returns the metric called name with exactly labels, or nil.
func sample(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			return m
		}
	}
	return nil
}

func TestMiddlewareCountsByRouteTemplateAndStatus(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	reg := NewRegistry("catalog")
	m, err := NewHTTP(reg, "catalog")
	if err != nil {
		t.Fatalf("NewHTTP: %v", err)
	}
	r := gin.New()
	r.Use(m.Middleware())
	r.GET("/products/:id", func(c *gin.Context) {
		if c.Param("id") == "missing" {
			c.Status(http.StatusNotFound)
			return
		}
		c.String(http.StatusOK, "ok")
	})
	for _, path := range []string{"/products/1", "/products/2", "/products/missing", "/nowhere"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}

	cases := []struct {
		route, status string
		want          float64
	}{
		{"/products/:id", "200", 2},
		{"/products/:id", "404", 1},
		{UnmatchedRoute, "404", 1},
	}
	for _, tc := range cases {
		labels := map[string]string{"service": "catalog", "method": "GET", "route": tc.route, "status": tc.status}
		got := sample(t, reg, "mercato_http_requests_total", labels)
		if got == nil || got.GetCounter().GetValue() != tc.want {
			t.Errorf("requests_total%v = %v, want %v", labels, got, tc.want)
		}
	}
	hist := sample(t, reg, "mercato_http_request_duration_seconds",
		map[string]string{"service": "catalog", "method": "GET", "route": "/products/:id"})
	if hist == nil || hist.GetHistogram().GetSampleCount() != 3 {
		t.Errorf("duration histogram = %v, want 3 samples", hist)
	}
}

func TestNewHTTPTwiceOnOneRegistryShares(t *testing.T) {
	reg := NewRegistry("users")
	a, err := NewHTTP(reg, "users")
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewHTTP(reg, "users")
	if err != nil {
		t.Fatalf("second NewHTTP: %v", err)
	}
	if a.requests != b.requests {
		t.Error("second NewHTTP did not reuse the registered counter")
	}
}

func TestHandlerExposesRuntimeAndServiceInfo(t *testing.T) {
	reg := NewRegistry("orders")
	srv := httptest.NewServer(Handler(reg))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`mercato_service_info{service="orders"} 1`, "go_goroutines", "process_"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestRegisterAllToleratesASecondRegistrationOnly(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "mercato_test_things_total", Help: "Things."})
	if err := RegisterAll(reg, c); err != nil {
		t.Fatal(err)
	}
	if err := RegisterAll(reg, c); err != nil {
		t.Fatalf("second registration of the same collector: %v", err)
	}
	clash := prometheus.NewGauge(prometheus.GaugeOpts{Name: "mercato_test_things_total", Help: "Other."})
	if err := RegisterAll(reg, clash); err == nil {
		t.Fatal("a different collector under a taken name must be an error")
	}
}
