// Command users runs Mercato's users service: accounts, roles, merchant tenants and token signing.
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
	"github.com/mercato-shop/mercato/users/internal/api"
	"github.com/mercato-shop/mercato/users/internal/security"
	"github.com/mercato-shop/mercato/users/internal/store"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

// Config is everything the users service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
	// Auth gives AUTH_ISSUER and AUTH_AUDIENCE, which users signs into
	// every token and checks on its own endpoints. AUTH_JWKS_URL is unused
	// here: users verifies with its own key ring. A named field, not
	// embedded, so platform/service builds no JWKS verifier for it.
	Auth config.Auth
	// AccessTokenTTL is the lifetime of an access token.
	AccessTokenTTL time.Duration `env:"ACCESS_TOKEN_TTL" envDefault:"15m"`
	// RefreshTokenTTL is the lifetime of a refresh token (renewed by each rotation).
	RefreshTokenTTL time.Duration `env:"REFRESH_TOKEN_TTL" envDefault:"720h"`
	// SigningKeyRotateAfter, when positive, rotates the signing key once it
	// is that old (checked at start-up and every minute); 0 never rotates.
	SigningKeyRotateAfter time.Duration `env:"SIGNING_KEY_ROTATE_AFTER" envDefault:"0s"`
	// AdminEmail and AdminPassword, when set, create or update the
	// administrator at start-up: the only way to get the admin role.
	AdminEmail    string `env:"ADMIN_EMAIL"`
	AdminPassword string `env:"ADMIN_PASSWORD" secret:"true"`
	// TrustedProxies are the addresses or CIDRs (the gateway's) whose
	// X-Forwarded-For names the client address that login throttling counts.
	TrustedProxies []string `env:"TRUSTED_PROXIES" envDefault:"127.0.0.1/32,::1/128" envSeparator:","`
}

// Validate checks the rules env tags cannot express.
func (c *Config) Validate() error {
	var problems []error
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		problems = append(problems, errors.New("ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither"))
	}
	if c.AccessTokenTTL <= 0 || c.RefreshTokenTTL <= 0 {
		problems = append(problems, errors.New("ACCESS_TOKEN_TTL and REFRESH_TOKEN_TTL: must be positive"))
	}
	if c.SigningKeyRotateAfter < 0 {
		problems = append(problems, errors.New("SIGNING_KEY_ROTATE_AFTER: must not be negative"))
	}
	return errors.Join(problems...)
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "users",
		DefaultAddr: ":8081",
		Config:      &cfg,
		Topics:      []string{events.TopicUsers},
	}, func(ctx context.Context, app *service.App) error { return setup(ctx, app, &cfg) })
}

func setup(ctx context.Context, app *service.App, cfg *Config) error {
	if err := app.Router().SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	st := store.New(app.Store, app.Relay)
	if err := st.EnsureIndexes(ctx); err != nil {
		return err
	}

	ring := security.NewKeyRing(st.SigningKeys(), security.KeyRingOptions{
		Issuer: cfg.Auth.AuthIssuer, Audience: cfg.Auth.AuthAudience,
		AccessTokenTTL: cfg.AccessTokenTTL, RotateAfter: cfg.SigningKeyRotateAfter,
	})
	if err := ring.EnsureKey(ctx); err != nil {
		return err
	}
	hasher, err := security.NewPasswordHasher(security.DefaultPasswordParams, 0)
	if err != nil {
		return err
	}
	throttle := security.NewLoginThrottle(security.DefaultAccountPolicy, security.DefaultClientPolicy)
	if err := usecase.RegisterMetrics(app.Registry); err != nil {
		return err
	}
	accts := usecase.New(st, hasher, ring, throttle, usecase.Options{RefreshTokenTTL: cfg.RefreshTokenTTL, Logger: app.Logger})
	if cfg.AdminEmail != "" {
		if err := accts.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword); err != nil {
			return err
		}
	}
	verifier, err := api.NewLocalVerifier(ctx, ring, cfg.Auth.AuthIssuer, cfg.Auth.AuthAudience, app.Logger)
	if err != nil {
		return err
	}
	api.New(accts, ring, verifier).Register(app.Router())

	app.Go(usecase.SweepSessions(st, app.Logger))
	if cfg.SigningKeyRotateAfter > 0 {
		app.Go(usecase.RotateKeys(ring, app.Logger))
	}
	return nil
}
