package main

import (
	"os"
	"testing"

	"github.com/mercato-shop/mercato/platform/config"
)

func TestJWKSURLFollowsUsersURLUnlessSet(t *testing.T) {
	t.Setenv("USERS_URL", "http://127.0.0.1:41234/")
	t.Setenv("AUTH_JWKS_URL", "") // restored after the test
	if err := os.Unsetenv("AUTH_JWKS_URL"); err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	if got := cfg.jwksURL(); got != "http://127.0.0.1:41234/.well-known/jwks.json" {
		t.Fatalf("derived JWKS URL %q", got)
	}
	t.Setenv("AUTH_JWKS_URL", "https://keys.example/jwks.json")
	cfg = Config{}
	if err := config.Load(&cfg); err != nil {
		t.Fatal(err)
	}
	if got := cfg.jwksURL(); got != "https://keys.example/jwks.json" {
		t.Fatalf("explicit JWKS URL %q", got)
	}
}
