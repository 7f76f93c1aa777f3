package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/config"
)

func TestConfigDefaultsAndRules(t *testing.T) {
	var cfg Config
	if err := config.LoadFrom(&cfg, map[string]string{}); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if cfg.AccessTokenTTL != 15*time.Minute || cfg.Auth.AuthIssuer != "mercato-users" || cfg.Auth.AuthAudience != "mercato" ||
		!slices.Equal(cfg.TrustedProxies, []string{"127.0.0.1/32", "::1/128"}) || cfg.AdminEmail != "" {
		t.Fatalf("defaults %+v", cfg)
	}
	cases := map[string]map[string]string{
		"admin email without password": {"ADMIN_EMAIL": "root@example.com"},
		"admin password without email": {"ADMIN_PASSWORD": "s3cret-password"},
		"zero access TTL":              {"ACCESS_TOKEN_TTL": "0s"},
		"negative rotation":            {"SIGNING_KEY_ROTATE_AFTER": "-1h"},
	}
	for name, env := range cases {
		var cfg Config
		if err := config.LoadFrom(&cfg, env); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	var withAdmin Config
	err := config.LoadFrom(&withAdmin, map[string]string{"ADMIN_EMAIL": "root@example.com", "ADMIN_PASSWORD": "s3cret-password", "TRUSTED_PROXIES": "10.0.0.0/8"})
	if err != nil || !slices.Equal(withAdmin.TrustedProxies, []string{"10.0.0.0/8"}) {
		t.Fatalf("admin config: %v %+v", err, withAdmin.TrustedProxies)
	}
	if logged := config.LogValue(&withAdmin).String(); strings.Contains(logged, "s3cret-password") {
		t.Fatalf("ADMIN_PASSWORD is logged: %s", logged)
	}
}
