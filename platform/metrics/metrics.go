// Package metrics gives each Mercato service its own Prometheus registry,
// the /metrics handler, and the HTTP request metrics as gin middleware.
//
// Every metric is named mercato_*; the service label tells services apart
// when several are scraped into one Prometheus.
package metrics

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every Mercato metric. Services use it for their own
// metrics too: prometheus.CounterOpts{Namespace: metrics.Namespace, ...}.
const Namespace = "mercato"

// UnmatchedRoute is the route label of requests that matched no route.
const UnmatchedRoute = "unmatched"

// NewRegistry returns a registry holding the Go runtime and process
// collectors and mercato_service_info{service="<service>"} 1.
func NewRegistry(service string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace:   Namespace,
		Name:        "service_info",
		Help:        "Always 1; names the service exposing these metrics.",
		ConstLabels: prometheus.Labels{"service": service},
	})
	info.Set(1)
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		info,
	)
	return reg
}

// Handler serves reg in the Prometheus exposition format.
func Handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// HTTP holds the request metrics of one service:
// mercato_http_requests_total{service,method,route,status} and
// mercato_http_request_duration_seconds{service,method,route}.
type HTTP struct {
	service  string
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewHTTP registers the HTTP metrics on reg. Registering them twice on the
// same registry reuses the first registration.
func NewHTTP(reg prometheus.Registerer, service string) (*HTTP, error) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace,
		Subsystem: "http",
		Name:      "requests_total",
		Help:      "HTTP requests handled, by route template and status code.",
	}, []string{"service", "method", "route", "status"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace,
		Subsystem: "http",
		Name:      "request_duration_seconds",
		Help:      "Time to handle an HTTP request, by route template.",
		Buckets:   []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"service", "method", "route"})

	var err error
	if requests, err = register(reg, requests); err != nil {
		return nil, err
	}
	if duration, err = register(reg, duration); err != nil {
		return nil, err
	}
	return &HTTP{service: service, requests: requests, duration: duration}, nil
}

// register registers c, or returns the identical collector already there.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}

// Middleware observes every request after the rest of the chain ran. The
// route label is the gin route template (c.FullPath()), or UnmatchedRoute,
// so ids in paths do not explode the label set.
func (m *HTTP) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = UnmatchedRoute
		}
		method := c.Request.Method
		m.requests.WithLabelValues(m.service, method, route, strconv.Itoa(c.Writer.Status())).Inc()
		m.duration.WithLabelValues(m.service, method, route).Observe(time.Since(start).Seconds())
	}
}

// RegisterAll registers each collector on reg. A collector already
// registered there (a second call for the same registry) is not an error,
// so a service's RegisterMetrics can be called more than once.
func RegisterAll(reg prometheus.Registerer, collectors ...prometheus.Collector) error {
	for _, c := range collectors {
		if _, err := register(reg, c); err != nil {
			var already prometheus.AlreadyRegisteredError
			if !errors.As(err, &already) {
				return err
			}
		}
	}
	return nil
}
