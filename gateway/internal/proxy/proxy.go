// Package proxy routes the public API (docs/api.md) to the services that own
// it: one reverse proxy per upstream service, each behind its own circuit
// breaker, so a failing service answers 503 fast while the others keep
// serving.
package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/logging"
)

// DefaultReadyTimeout bounds one upstream readiness probe.
const DefaultReadyTimeout = time.Second

// Options configure a Gateway.
type Options struct {
	// Upstreams maps each upstream name (Users, Catalog, Orders, Payments)
	// to its base URL, such as "http://127.0.0.1:8082".
	Upstreams map[string]string
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Registerer receives the breaker metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// BreakerOptions is the template of every upstream's breaker; Name is
	// set per upstream, and a nil Logger or Registerer is taken from above.
	BreakerOptions breaker.Options
	// ReadyTimeout bounds each upstream readiness probe (default 1s).
	ReadyTimeout time.Duration
	// TrustedPeer reports whether a request's RemoteAddr is a trusted
	// proxy, whose X-Forwarded-For chain and X-Forwarded-Proto are passed
	// on (the peer appended); nil trusts nobody, so a client cannot forge
	// the address the services see.
	TrustedPeer func(remoteAddr string) bool
}

// Gateway forwards requests to the upstream services.
type Gateway struct {
	logger      *slog.Logger
	upstreams   map[string]*upstream
	readyClient *http.Client
}

// upstream is one service behind the gateway.
type upstream struct {
	name        string
	target      *url.URL
	breaker     *breaker.Transport
	proxy       *httputil.ReverseProxy
	trustedPeer func(remoteAddr string) bool
}

// New builds a Gateway. It fails when an upstream the routes need is
// missing or its URL is not an absolute http(s) URL.
func New(opts Options) (*Gateway, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = DefaultReadyTimeout
	}
	g := &Gateway{
		logger:      opts.Logger,
		upstreams:   make(map[string]*upstream, len(upstreamNames)),
		readyClient: &http.Client{Timeout: opts.ReadyTimeout, Transport: newBaseTransport()},
	}
	for _, name := range upstreamNames {
		target, err := parseUpstreamURL(name, opts.Upstreams[name])
		if err != nil {
			return nil, err
		}
		g.upstreams[name] = g.newUpstream(name, target, opts)
	}
	return g, nil
}

func parseUpstreamURL(name, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("proxy: no URL for upstream %q", name)
	}
	target, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("proxy: upstream %q URL: %w", name, err)
	}
	if (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, fmt.Errorf("proxy: upstream %q URL %q is not an absolute http(s) URL", name, raw)
	}
	return target, nil
}

func (g *Gateway) newUpstream(name string, target *url.URL, opts Options) *upstream {
	breakerOpts := opts.BreakerOptions
	breakerOpts.Name = name
	if breakerOpts.Logger == nil {
		breakerOpts.Logger = opts.Logger
	}
	if breakerOpts.Registerer == nil {
		breakerOpts.Registerer = opts.Registerer
	}
	u := &upstream{
		name:        name,
		target:      target,
		breaker:     breaker.NewTransport(newBaseTransport(), breakerOpts),
		trustedPeer: opts.TrustedPeer,
	}
	// FlushInterval stays 0: ReverseProxy itself flushes every write of a
	// text/event-stream response and of one without a Content-Length, so
	// Server-Sent Events and other streams go through at once, while a
	// response of known length goes out in one write with its headers
	// (flushing every write costs two extra syscalls per request).
	u.proxy = &httputil.ReverseProxy{
		Rewrite:      u.rewrite,
		Transport:    u.breaker,
		BufferPool:   copyBuffers,
		ErrorHandler: g.proxyError,
		ErrorLog:     slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	return u
}

// newBaseTransport keeps more idle connections per upstream than
// http.DefaultTransport (2), which a proxy under load would churn through,
// and passes the client's Accept-Encoding through as it is instead of
// asking for gzip and decompressing in the gateway.
func newBaseTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 128
	t.DisableCompression = true
	return t
}

// Register mounts the routes of docs/api.md on r, each prefix with and
// without a trailing path. Paths under /api that match no route are left to
// the engine's NoRoute handler (httpserver answers 404 problem+json).
func (g *Gateway) Register(r gin.IRouter) {
	for _, rt := range routes {
		handler := g.forward(g.upstreams[rt.upstream])
		methods := rt.methods
		if methods == nil {
			methods = defaultMethods
		}
		for _, method := range methods {
			r.Handle(method, rt.path, handler)
			if !rt.exact {
				r.Handle(method, rt.path+"/*rest", handler)
			}
		}
	}
}

// BreakerStates reports each upstream's breaker state ("closed",
// "half-open", "open").
func (g *Gateway) BreakerStates() map[string]string {
	states := make(map[string]string, len(g.upstreams))
	for name, u := range g.upstreams {
		states[name] = u.breaker.State().String()
	}
	return states
}

// callKey carries a *call in the request context to the proxy's error
// handler, which gets only the request.
type callKey struct{}

// call is one forwarded request.
type call struct {
	gin      *gin.Context
	upstream string
	// body is the client's request body; nil when there is none.
	body *clientBody
}

func (g *Gateway) forward(u *upstream) gin.HandlerFunc {
	return func(c *gin.Context) {
		if hasDotSegment(c.Request.URL.Path) {
			httpserver.WriteError(c, fmt.Errorf("%w: no route for %s", apperr.ErrNotFound, c.Request.URL.Path))
			return
		}
		if c.Request.Method == http.MethodGet && acceptsEventStream(c.Request) {
			liftDeadlines(c)
		}
		cl := &call{gin: c, upstream: u.name}
		req := c.Request
		if req.Body != nil && req.Body != http.NoBody {
			ctx, cancel := context.WithCancel(req.Context())
			defer cancel()
			req = req.WithContext(ctx)
			cl.body = &clientBody{ReadCloser: req.Body, cancel: cancel}
			req.Body = cl.body
		}
		u.proxy.ServeHTTP(c.Writer, req.WithContext(context.WithValue(req.Context(), callKey{}, cl)))
	}
}

// rewrite builds the outgoing request. ReverseProxy has already removed
// hop-by-hop headers and any client-sent Forwarded and X-Forwarded-*; only
// a trusted proxy's X-Forwarded-For and X-Forwarded-Proto are taken over.
func (u *upstream) rewrite(pr *httputil.ProxyRequest) {
	pr.SetURL(u.target)
	trusted := u.trustedPeer != nil && u.trustedPeer(pr.In.RemoteAddr)
	if trusted {
		if prior := pr.In.Header["X-Forwarded-For"]; len(prior) > 0 {
			pr.Out.Header["X-Forwarded-For"] = prior
		}
	}
	pr.SetXForwarded()
	if proto := pr.In.Header.Get("X-Forwarded-Proto"); trusted && (proto == "https" || proto == "http") {
		pr.Out.Header.Set("X-Forwarded-Proto", proto)
	}
	for name := range pr.Out.Header {
		if isIdentityHeader(name) {
			pr.Out.Header.Del(name)
		}
	}
	if id := logging.RequestID(pr.In.Context()); id != "" {
		pr.Out.Header.Set(httpserver.HeaderRequestID, id)
	}
}

// isIdentityHeader names headers that would claim an identity; only a
// verified token may do that, so the gateway never forwards them. It runs
// for every header of every request, so it compares without allocating.
func isIdentityHeader(name string) bool {
	return strings.EqualFold(name, "x-user-id") || strings.EqualFold(name, "x-user-roles") ||
		strings.EqualFold(name, "x-merchant-id") ||
		hasPrefixFold(name, "x-authenticated-") || hasPrefixFold(name, "x-mercato-identity")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// hasDotSegment reports a "." or ".." path segment, which the gateway
// refuses rather than forwarding a path that escapes its route prefix.
func hasDotSegment(path string) bool {
	for segment := range strings.SplitSeq(path, "/") {
		if segment == "." || segment == ".." {
			return true
		}
	}
	return false
}

func acceptsEventStream(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// liftDeadlines removes the server's read and write deadlines for a
// Server-Sent Events request, which the server timeouts would otherwise cut
// off; the stream ends when the client or the upstream closes it.
func liftDeadlines(c *gin.Context) {
	// A writer that cannot change deadlines (a test recorder) has none.
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
}

// UpstreamNames lists every upstream Options.Upstreams must name.
func UpstreamNames() []string { return append([]string(nil), upstreamNames...) }
