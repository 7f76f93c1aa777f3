package api_test

import (
	"net/http"
	"testing"
)

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	s := newService(t, newDatabaseName())
	first := s.register(t, merchant(uniqueEmail("refresh")))

	resp := s.post(t, "/api/v1/auth/refresh", map[string]string{"refresh_token": first.RefreshToken})
	if resp.status != http.StatusOK {
		t.Fatalf("refresh: %d %s", resp.status, resp.body)
	}
	second := resp.tokens(t)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken ||
		second.User.ID != first.User.ID || second.User.MerchantID != first.User.MerchantID {
		t.Fatalf("refresh did not rotate: %+v", second)
	}

	// The rotated (first) token presented again: refused, and the whole
	// session dies, including the legitimate newest token.
	resp = s.post(t, "/api/v1/auth/refresh", map[string]string{"refresh_token": first.RefreshToken})
	if resp.status != http.StatusUnauthorized || resp.problem(t).Code != "unauthorized" {
		t.Fatalf("reused token: %d %s", resp.status, resp.body)
	}
	resp = s.post(t, "/api/v1/auth/refresh", map[string]string{"refresh_token": second.RefreshToken})
	if resp.status != http.StatusUnauthorized {
		t.Fatalf("newest token after reuse: %d %s, want 401 (family revoked)", resp.status, resp.body)
	}

	// Another login's session is a separate family and still works.
	other := s.post(t, "/api/v1/auth/login", loginBody(first.User.Email, "correct horse battery")).tokens(t)
	if resp := s.post(t, "/api/v1/auth/refresh", map[string]string{"refresh_token": other.RefreshToken}); resp.status != http.StatusOK {
		t.Fatalf("other session: %d %s", resp.status, resp.body)
	}
}

func TestRefreshRefusals(t *testing.T) {
	s := newService(t, newDatabaseName())
	cases := []struct {
		name   string
		body   string
		status int
	}{
		{"missing token", `{}`, http.StatusBadRequest},
		{"wrong type", `{"refresh_token": 7}`, http.StatusBadRequest},
		{"malformed JSON", `{"refresh_token"`, http.StatusBadRequest},
		{"garbage token", `{"refresh_token": "not-a-token"}`, http.StatusUnauthorized},
		{"unknown session", `{"refresh_token": "0b3c6a4e-2f57-4c59-9d55-1c1f4bce7a10.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.do(t, request{method: http.MethodPost, path: "/api/v1/auth/refresh", body: tc.body})
			if resp.status != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.status, tc.status, resp.body)
			}
			resp.problem(t)
		})
	}
}

func TestLogoutRevokes(t *testing.T) {
	s := newService(t, newDatabaseName())
	me := s.register(t, shopper(uniqueEmail("logout")))
	someoneElse := s.register(t, shopper(uniqueEmail("else")))
	logout := func(token, refresh string) response {
		return s.do(t, request{method: http.MethodPost, path: "/api/v1/auth/logout", token: token, body: jsonOf(t, map[string]string{"refresh_token": refresh})})
	}

	cases := []struct {
		name   string
		token  string
		body   string
		status int
	}{
		{"no access token", "", jsonOf(t, map[string]string{"refresh_token": me.RefreshToken}), http.StatusUnauthorized},
		{"invalid access token", "x.y.z", jsonOf(t, map[string]string{"refresh_token": me.RefreshToken}), http.StatusUnauthorized},
		{"missing refresh token", me.AccessToken, `{}`, http.StatusBadRequest},
		{"another user's session", me.AccessToken, jsonOf(t, map[string]string{"refresh_token": someoneElse.RefreshToken}), http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.do(t, request{method: http.MethodPost, path: "/api/v1/auth/logout", token: tc.token, body: tc.body})
			if resp.status != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.status, tc.status, resp.body)
			}
		})
	}
	// The refusals above changed nothing: both sessions still refresh.
	me = s.post(t, "/api/v1/auth/refresh", map[string]string{"refresh_token": me.RefreshToken}).tokens(t)
	if resp := s.post(t, "/api/v1/auth/refresh", map[string]string{"refresh_token": someoneElse.RefreshToken}); resp.status != http.StatusOK {
		t.Fatalf("someone else's session after a refused logout: %d", resp.status)
	}

	if resp := logout(me.AccessToken, me.RefreshToken); resp.status != http.StatusNoContent || len(resp.body) != 0 {
		t.Fatalf("logout: %d %s", resp.status, resp.body)
	}
	if resp := s.post(t, "/api/v1/auth/refresh", map[string]string{"refresh_token": me.RefreshToken}); resp.status != http.StatusUnauthorized {
		t.Fatalf("refresh after logout: %d, want 401", resp.status)
	}
	if resp := logout(me.AccessToken, me.RefreshToken); resp.status != http.StatusNoContent {
		t.Fatalf("second logout: %d, want 204 (idempotent)", resp.status)
	}
}
