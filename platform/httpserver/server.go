// Package httpserver is the HTTP server every Mercato service runs: gin in
// release mode with request ids, W3C trace context, panic recovery, metrics,
// an access log and a body size limit; /healthz, /readyz and /metrics; RFC 9457 problem
// responses from one error table; and a graceful, draining shutdown.
//
//	srv := httpserver.New(httpserver.Options{Service: "users", Addr: cfg.HTTPAddr, Logger: logger})
//	r := srv.Router()
//	r.GET("/api/v1/users/me", h.me)
//	return srv.Run(ctx) // until ctx is cancelled (SIGTERM)
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/health"
	"github.com/mercato-shop/mercato/platform/metrics"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultAddr              = ":8080"
	DefaultMaxBodyBytes      = 1 << 20
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 15 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 10 * time.Second
)

// Options configure a Server. Zero fields take the defaults above; a nil
// Logger is slog.Default(); a nil Registry is metrics.NewRegistry(Service).
type Options struct {
	Service  string
	Addr     string
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// MaxBodyBytes limits request bodies; larger ones answer 413.
	MaxBodyBytes int64

	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ReadHeaderTimeout time.Duration
	// ShutdownTimeout bounds the drain of in-flight requests in Run.
	ShutdownTimeout time.Duration

	// Checks are the readiness checks behind /readyz.
	Checks []health.Check
	// CheckTimeout bounds each readiness check (health.DefaultTimeout).
	CheckTimeout time.Duration
	// TrustedProxies are the proxy addresses or CIDRs whose
	// X-Forwarded-For is believed for the client ip; none by default.
	TrustedProxies []string
}

func (o *Options) applyDefaults() {
	if o.Service == "" {
		o.Service = "mercato"
	}
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Registry == nil {
		o.Registry = metrics.NewRegistry(o.Service)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
}

// Server is one service's HTTP server.
type Server struct {
	opts   Options
	engine *gin.Engine
	health *health.Checker
	http   *http.Server

	mu       sync.Mutex
	listener net.Listener
}

// New builds a Server with its middleware and /healthz, /readyz and
// /metrics routes. It panics only if the HTTP metrics cannot be registered
// on opts.Registry (a programming error: a clashing metric).
func New(opts Options) *Server {
	opts.applyDefaults()
	gin.SetMode(gin.ReleaseMode)

	httpMetrics, err := metrics.NewHTTP(opts.Registry, opts.Service)
	if err != nil {
		panic(fmt.Sprintf("httpserver: register HTTP metrics: %v", err))
	}
	checker := health.NewChecker(opts.CheckTimeout, opts.Checks...)
	_ = opts.Registry.Register(checker.ReadyGauge()) // a second server on one registry keeps the first gauge

	engine := gin.New()
	engine.HandleMethodNotAllowed = true
	// Handlers may pass the *gin.Context itself as a context.Context: it
	// falls back to the request's (cancellation, request id).
	engine.ContextWithFallback = true
	if err := engine.SetTrustedProxies(opts.TrustedProxies); err != nil {
		panic(fmt.Sprintf("httpserver: trusted proxies: %v", err))
	}
	// Panics are recovered inside metrics and the access log, so a
	// panicking request is still counted and logged, as a 500.
	engine.Use(
		requestID(),
		traceRequests(),
		withLogger(opts.Logger),
		httpMetrics.Middleware(),
		accessLog(opts.Logger),
		recovery(opts.Logger),
		bodyLimit(opts.MaxBodyBytes),
	)
	engine.NoRoute(func(c *gin.Context) {
		WriteError(c, fmt.Errorf("%w: no route for %s %s", apperr.ErrNotFound, c.Request.Method, c.Request.URL.Path))
	})
	engine.NoMethod(func(c *gin.Context) {
		WriteError(c, fmt.Errorf("%w: %s %s", errMethodNotAllowed, c.Request.Method, c.Request.URL.Path))
	})
	engine.GET("/healthz", gin.WrapF(checker.LiveHandler))
	engine.GET("/readyz", gin.WrapF(checker.ReadyHandler))
	engine.GET("/metrics", gin.WrapH(metrics.Handler(opts.Registry)))

	return &Server{
		opts:   opts,
		engine: engine,
		health: checker,
		http: &http.Server{
			Handler:           engine,
			ReadTimeout:       opts.ReadTimeout,
			WriteTimeout:      opts.WriteTimeout,
			IdleTimeout:       opts.IdleTimeout,
			ReadHeaderTimeout: opts.ReadHeaderTimeout,
			ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
		},
	}
}

// Router is the gin engine to register the service's routes on.
func (s *Server) Router() *gin.Engine { return s.engine }

// ConfigureHTTP lets a service adjust the underlying http.Server (header
// size limit, timeouts) before Run; the gateway tightens them for the edge.
func (s *Server) ConfigureHTTP(fn func(*http.Server)) { fn(s.http) }

// Health is the readiness checker, to Add checks or SetDraining.
func (s *Server) Health() *health.Checker { return s.health }

// Registry is the service's Prometheus registry, for its own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.opts.Registry }

// Listen binds Options.Addr now (":0" picks a free port) and returns the
// bound address; Run then serves on it. Calling it again returns the same
// address.
func (s *Server) Listen() (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return s.listener.Addr(), nil
	}
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("httpserver: listen on %s: %w", s.opts.Addr, err)
	}
	s.listener = ln
	return ln.Addr(), nil
}

// Run serves (listening first unless Listen was called) until ctx is
// cancelled, then marks the server draining (/readyz answers 503), stops
// accepting connections and waits up to Options.ShutdownTimeout for
// in-flight requests to finish. It returns nil after a clean drain. Run is
// called once per Server.
func (s *Server) Run(ctx context.Context) error {
	addr, err := s.Listen()
	if err != nil {
		return err
	}
	s.mu.Lock()
	ln := s.listener
	s.mu.Unlock()

	s.opts.Logger.InfoContext(ctx, "http server listening", "addr", addr.String())
	served := make(chan error, 1)
	go func() { served <- s.http.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("httpserver: serve: %w", err)
	case <-ctx.Done():
	}

	s.health.SetDraining(true)
	s.opts.Logger.Info("http server draining", "timeout", s.opts.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	if err := s.http.Shutdown(shutdownCtx); err != nil {
		_ = s.http.Close()
		return fmt.Errorf("httpserver: shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("httpserver: serve: %w", err)
	}
	s.opts.Logger.Info("http server stopped")
	return nil
}
