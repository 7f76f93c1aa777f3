package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestAdminComesOnlyFromConfiguration: EnsureAdmin creates the admin once
// (idempotent, a restart writes nothing new), updates its password from
// configuration, and refuses to promote an account someone registered.
func TestAdminComesOnlyFromConfiguration(t *testing.T) {
	s := newService(t, newDatabaseName())
	ctx := context.Background()
	email := uniqueEmail("admin")

	for range 2 {
		if err := s.accounts.EnsureAdmin(ctx, strings.ToUpper(email), "first admin password"); err != nil {
			t.Fatalf("EnsureAdmin: %v", err)
		}
	}
	if n := s.countUsers(t); n != 1 {
		t.Fatalf("%d users after two EnsureAdmin, want 1", n)
	}
	resp := s.post(t, "/api/v1/auth/login", loginBody(email, "first admin password"))
	if resp.status != http.StatusOK || !slices.Equal(resp.tokens(t).User.Roles, []string{"admin"}) {
		t.Fatalf("admin login: %d %s", resp.status, resp.body)
	}

	if err := s.accounts.EnsureAdmin(ctx, email, "second admin password"); err != nil {
		t.Fatalf("EnsureAdmin with a new password: %v", err)
	}
	if resp := s.post(t, "/api/v1/auth/login", loginBody(email, "second admin password")); resp.status != http.StatusOK {
		t.Fatalf("login with the new admin password: %d", resp.status)
	}
	if resp := s.post(t, "/api/v1/auth/login", loginBody(email, "first admin password")); resp.status != http.StatusUnauthorized {
		t.Fatalf("login with the old admin password: %d", resp.status)
	}

	// Nobody registers the admin's email, and a registered email cannot be
	// turned into the admin by configuration.
	if resp := s.post(t, "/api/v1/auth/register", shopper(email)); resp.status != http.StatusConflict {
		t.Fatalf("registering the admin email: %d", resp.status)
	}
	squatter := uniqueEmail("squatter")
	s.register(t, shopper(squatter))
	if err := s.accounts.EnsureAdmin(ctx, squatter, "some admin password"); err == nil {
		t.Fatal("EnsureAdmin promoted a registered shopper")
	}
	if got := s.post(t, "/api/v1/auth/login", loginBody(squatter, "correct horse battery")).tokens(t); !slices.Equal(got.User.Roles, []string{"shopper"}) {
		t.Fatalf("squatter roles %v", got.User.Roles)
	}
	if err := s.accounts.EnsureAdmin(ctx, "not an email", "some admin password"); err == nil {
		t.Fatal("EnsureAdmin accepted an invalid email")
	}
	if err := s.accounts.EnsureAdmin(ctx, uniqueEmail("admin2"), "short"); err == nil {
		t.Fatal("EnsureAdmin accepted a short password")
	}
}
