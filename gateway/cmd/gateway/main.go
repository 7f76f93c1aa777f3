// Command gateway runs Mercato's public entry point: it routes /api/v1/... to
// the owning service through one circuit breaker per upstream.
package main

import (
	"context"
	"time"

	"github.com/mercato-shop/mercato/gateway/internal/proxy"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the gateway reads from its environment.
type Config struct {
	config.Common
	UsersURL    string `env:"USERS_URL" envDefault:"http://127.0.0.1:8081"`
	CatalogURL  string `env:"CATALOG_URL" envDefault:"http://127.0.0.1:8082"`
	OrdersURL   string `env:"ORDERS_URL" envDefault:"http://127.0.0.1:8083"`
	PaymentsURL string `env:"PAYMENTS_URL" envDefault:"http://127.0.0.1:8084"`
	// UpstreamTimeout bounds the wait for an upstream's response headers.
	UpstreamTimeout time.Duration `env:"UPSTREAM_TIMEOUT" envDefault:"10s"`
	// BreakerOpenFor is how long an open breaker fails fast before probing.
	BreakerOpenFor time.Duration `env:"BREAKER_OPEN_FOR" envDefault:"5s"`
}

func main() {
	var cfg Config
	service.Main(service.Spec{Name: "gateway", DefaultAddr: ":8080", Config: &cfg, Common: &cfg.Common},
		func(_ context.Context, app *service.App) error {
			gw, err := proxy.New(proxy.Options{
				Upstreams: map[string]string{
					proxy.Users: cfg.UsersURL, proxy.Catalog: cfg.CatalogURL,
					proxy.Orders: cfg.OrdersURL, proxy.Payments: cfg.PaymentsURL,
				},
				Logger:         app.Logger,
				Registerer:     app.Registry,
				BreakerOptions: breaker.Options{Timeout: cfg.UpstreamTimeout, OpenFor: cfg.BreakerOpenFor},
			})
			if err != nil {
				return err
			}
			gw.Register(app.Router())
			app.Server.Health().Add(gw.Checks()...)
			return nil
		})
}
