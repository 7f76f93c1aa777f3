package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/gateway/internal/edge"
	"github.com/mercato-shop/mercato/gateway/internal/ratelimit"
)

// EdgeConfig is the gateway's protection of itself and the services: rate
// limits (per replica), trusted proxies and request hygiene.
type EdgeConfig struct {
	// TrustedProxies are the addresses or CIDRs (comma-separated) of the
	// load balancers in front; only their X-Forwarded-For and
	// X-Forwarded-Proto are believed. None by default.
	TrustedProxies []string `env:"TRUSTED_PROXIES" envDefault:"" envSeparator:","`

	// Budgets per client address, "<limit>/<window>" or "off".
	RateLimitAddrAuth     ratelimit.Quota `env:"RATE_LIMIT_ADDR_AUTH" envDefault:"30/1m"`
	RateLimitAddrCheckout ratelimit.Quota `env:"RATE_LIMIT_ADDR_CHECKOUT" envDefault:"30/1m"`
	RateLimitAddrWrite    ratelimit.Quota `env:"RATE_LIMIT_ADDR_WRITE" envDefault:"600/1m"`
	RateLimitAddrRead     ratelimit.Quota `env:"RATE_LIMIT_ADDR_READ" envDefault:"3000/1m"`
	// Stripe's webhooks come from a few addresses, one per event.
	RateLimitAddrWebhook ratelimit.Quota `env:"RATE_LIMIT_ADDR_WEBHOOK" envDefault:"6000/1m"`
	// Budgets per signed-in user, on top of the address's.
	RateLimitUserCheckout ratelimit.Quota `env:"RATE_LIMIT_USER_CHECKOUT" envDefault:"10/1m"`
	RateLimitUserWrite    ratelimit.Quota `env:"RATE_LIMIT_USER_WRITE" envDefault:"300/1m"`
	RateLimitUserRead     ratelimit.Quota `env:"RATE_LIMIT_USER_READ" envDefault:"1500/1m"`
	// RateLimitMaxKeys bounds the buckets held per scope (address, user).
	RateLimitMaxKeys int `env:"RATE_LIMIT_MAX_KEYS" envDefault:"100000"`

	// MaxHeaderBytes bounds the request line and headers (431 beyond).
	MaxHeaderBytes int `env:"MAX_HEADER_BYTES" envDefault:"16384"`
	// MaxHeaderCount bounds the number of request header fields (431).
	MaxHeaderCount int `env:"MAX_HEADER_COUNT" envDefault:"64"`
	// ReadHeaderTimeout cuts off a client still sending its headers
	// (slowloris) after this long.
	ReadHeaderTimeout time.Duration `env:"READ_HEADER_TIMEOUT" envDefault:"5s"`
	// IdleTimeout closes idle keep-alive connections.
	IdleTimeout time.Duration `env:"IDLE_TIMEOUT" envDefault:"60s"`
	// HSTSMaxAge, when set (such as 8760h), sends Strict-Transport-Security
	// on answers to requests that came over TLS (directly or from a trusted
	// proxy saying X-Forwarded-Proto: https). Off by default.
	HSTSMaxAge time.Duration `env:"HSTS_MAX_AGE" envDefault:"0s"`
}

// edgeParts are the built protections.
type edgeParts struct {
	trusted edge.Trusted
	limiter *ratelimit.Limiter
}

// buildEdge parses the configuration and builds the limiter.
func buildEdge(cfg EdgeConfig, registerer prometheus.Registerer) (*edgeParts, error) {
	trusted, err := edge.ParseTrusted(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	var opts ratelimit.Options
	opts.PerAddress[ratelimit.Auth] = cfg.RateLimitAddrAuth
	opts.PerAddress[ratelimit.Checkout] = cfg.RateLimitAddrCheckout
	opts.PerAddress[ratelimit.Write] = cfg.RateLimitAddrWrite
	opts.PerAddress[ratelimit.Read] = cfg.RateLimitAddrRead
	opts.PerAddress[ratelimit.Webhook] = cfg.RateLimitAddrWebhook
	opts.PerUser[ratelimit.Checkout] = cfg.RateLimitUserCheckout
	opts.PerUser[ratelimit.Write] = cfg.RateLimitUserWrite
	opts.PerUser[ratelimit.Read] = cfg.RateLimitUserRead
	opts.MaxKeys = cfg.RateLimitMaxKeys
	opts.Registerer = registerer
	return &edgeParts{trusted: trusted, limiter: ratelimit.New(opts)}, nil
}

// install sets the server limits and the engine-wide middleware: client
// address from trusted proxies only, the header count limit, the security
// headers and the per-address budgets. It must run before any route that
// they should cover is registered.
func (e *edgeParts) install(engine *gin.Engine, configure func(func(*http.Server)), cfg EdgeConfig) error {
	configure(func(srv *http.Server) {
		edge.ConfigureServer(srv, edge.ServerLimits{
			MaxHeaderBytes: cfg.MaxHeaderBytes, ReadHeaderTimeout: cfg.ReadHeaderTimeout, IdleTimeout: cfg.IdleTimeout,
		})
	})
	// gin's ClientIP, which the limiter and the access log use, then
	// believes X-Forwarded-For only from these peers, and X-Real-IP never.
	engine.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := engine.SetTrustedProxies(e.trusted.Strings()); err != nil {
		return fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	engine.Use(
		edge.SecurityHeaders(edge.SecurityOptions{HSTSMaxAge: cfg.HSTSMaxAge, Trusted: e.trusted}),
		edge.HeaderCountLimit(cfg.MaxHeaderCount),
		e.limiter.ByAddress(),
	)
	return nil
}
