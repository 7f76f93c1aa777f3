// Command gateway runs Mercato's public entry point: it checks access
// tokens on protected routes and routes /api/v1/... to the owning service
// through one circuit breaker per upstream.
package main

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/mercato-shop/mercato/gateway/internal/authn"
	"github.com/mercato-shop/mercato/gateway/internal/logbuf"
	"github.com/mercato-shop/mercato/gateway/internal/proxy"
	"github.com/mercato-shop/mercato/gateway/internal/web"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the gateway reads from its environment.
type Config struct {
	config.Common
	// Auth gives AUTH_ISSUER and AUTH_AUDIENCE; AUTH_JWKS_URL, when not
	// set, is USERS_URL + /.well-known/jwks.json (see jwksURL). A named
	// field, not embedded: the gateway verifies tokens itself (authn, with
	// its cache), so platform/service must not build a verifier for it.
	Auth        config.Auth
	UsersURL    string `env:"USERS_URL" envDefault:"http://127.0.0.1:8081"`
	CatalogURL  string `env:"CATALOG_URL" envDefault:"http://127.0.0.1:8082"`
	OrdersURL   string `env:"ORDERS_URL" envDefault:"http://127.0.0.1:8083"`
	PaymentsURL string `env:"PAYMENTS_URL" envDefault:"http://127.0.0.1:8084"`
	// AnalyticsURL is the analytics service (dashboard, stream, reports).
	AnalyticsURL string `env:"ANALYTICS_URL" envDefault:"http://127.0.0.1:8086"`
	// NotificationsURL is the notifications service (preferences, webhooks).
	NotificationsURL string `env:"NOTIFICATIONS_URL" envDefault:"http://127.0.0.1:8085"`
	// Ingest configures POST /api/v1/events (behaviour events to Kafka).
	Ingest IngestConfig
	// Edge configures rate limits, trusted proxies and request hygiene.
	Edge EdgeConfig
	// UpstreamTimeout bounds the wait for an upstream's response headers.
	UpstreamTimeout time.Duration `env:"UPSTREAM_TIMEOUT" envDefault:"10s"`
	// BreakerOpenFor is how long an open breaker fails fast before probing.
	BreakerOpenFor time.Duration `env:"BREAKER_OPEN_FOR" envDefault:"5s"`
	// PprofAddr, when set, serves net/http/pprof on that loopback address
	// (such as 127.0.0.1:6060) for profiling; off by default.
	PprofAddr string `env:"PPROF_ADDR" envDefault:""`
	// StripePublishableKey, when set, makes the storefront's checkout use
	// Stripe Elements; without it the test payment methods are offered.
	StripePublishableKey string `env:"STRIPE_PUBLISHABLE_KEY" envDefault:""`
}

// jwksURL is AUTH_JWKS_URL when the environment sets it, else the users
// service's JWKS under USERS_URL, so pointing the gateway at users is one
// variable.
func (c *Config) jwksURL() string {
	if _, set := os.LookupEnv("AUTH_JWKS_URL"); set {
		return c.Auth.AuthJWKSURL
	}
	return strings.TrimRight(c.UsersURL, "/") + "/.well-known/jwks.json"
}

func main() {
	var cfg Config
	tuneRuntime()
	// The log (one access-log line per request) goes out in batches once
	// the gateway serves; see logbuf.
	logOut := logbuf.New(os.Stdout, 0, 0)
	service.Main(service.Spec{Name: "gateway", DefaultAddr: ":8080", Config: &cfg, LogWriter: logOut},
		func(ctx context.Context, app *service.App) error {
			app.OnClose(func() { _ = logOut.Close() })
			lightTracing()
			if _, err := servePprof(ctx, cfg.PprofAddr, app.Logger); err != nil {
				return err
			}
			edgeParts, err := buildEdge(cfg.Edge, app.Registry)
			if err != nil {
				return err
			}
			if err := edgeParts.install(app.Router(), app.Server.ConfigureHTTP, cfg.Edge); err != nil {
				return err
			}
			verifier, err := auth.NewVerifier(ctx, auth.VerifierOptions{
				JWKSURL: cfg.jwksURL(), Issuer: cfg.Auth.AuthIssuer, Audience: cfg.Auth.AuthAudience, Logger: app.Logger,
			})
			if err != nil {
				return err
			}
			gw, err := proxy.New(proxy.Options{
				Upstreams: map[string]string{
					proxy.Users: cfg.UsersURL, proxy.Catalog: cfg.CatalogURL,
					proxy.Orders: cfg.OrdersURL, proxy.Payments: cfg.PaymentsURL,
					proxy.Analytics:     cfg.AnalyticsURL,
					proxy.Notifications: cfg.NotificationsURL,
				},
				Logger:         app.Logger,
				Registerer:     app.Registry,
				BreakerOptions: breaker.Options{Timeout: cfg.UpstreamTimeout, OpenFor: cfg.BreakerOpenFor},
				TrustedPeer:    edgeParts.trusted.Peer,
			})
			if err != nil {
				return err
			}
			// The token check runs on the proxied routes only; /healthz,
			// /readyz, /metrics and unknown paths are not behind it. The
			// address budgets run before it (engine-wide), the signed-in
			// user's after it.
			gw.Register(app.Router().Group("", authn.Middleware(verifier), edgeParts.limiter.ByUser()))
			app.Server.Health().Add(gw.Checks()...)
			// Behaviour events: stateless, anonymous, straight to Kafka.
			setupIngest(app, cfg.Ingest)
			// The storefront at / and the merchant console at /merchant.
			web.Register(app.Router(), web.Options{StripePublishableKey: cfg.StripePublishableKey})
			logOut.Start()
			return nil
		})
}
