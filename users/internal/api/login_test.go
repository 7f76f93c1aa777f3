package api_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
)

func TestLogin(t *testing.T) {
	s := newService(t, newDatabaseName())
	email := uniqueEmail("login")
	registered := s.register(t, merchant(email))

	cases := []struct {
		name       string
		body       string
		wantStatus int
		wantField  string // for 400
	}{
		{"right password", jsonOf(t, map[string]string{"email": email, "password": "correct horse battery"}), http.StatusOK, ""},
		{"email in another case", jsonOf(t, map[string]string{"email": " " + email + " ", "password": "correct horse battery"}), http.StatusOK, ""},
		{"wrong password", jsonOf(t, map[string]string{"email": email, "password": "wrong horse battery"}), http.StatusUnauthorized, ""},
		{"unknown email", jsonOf(t, map[string]string{"email": uniqueEmail("nobody"), "password": "correct horse battery"}), http.StatusUnauthorized, ""},
		{"missing password", jsonOf(t, map[string]string{"email": email}), http.StatusBadRequest, "password"},
		{"missing email", jsonOf(t, map[string]string{"password": "x"}), http.StatusBadRequest, "email"},
		{"invalid email", jsonOf(t, map[string]string{"email": "nope", "password": "x"}), http.StatusBadRequest, "email"},
		{"wrong type", `{"email": ["a"], "password": "x"}`, http.StatusBadRequest, "email"},
		{"malformed JSON", `{"email"`, http.StatusBadRequest, "body"},
		{"unknown field", jsonOf(t, map[string]string{"email": email, "password": "correct horse battery", "role": "admin"}), http.StatusBadRequest, "role"},
	}
	var unauthorizedDetails []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.do(t, request{method: http.MethodPost, path: "/api/v1/auth/login", body: tc.body})
			if resp.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.status, tc.wantStatus, resp.body)
			}
			switch tc.wantStatus {
			case http.StatusOK:
				tok := resp.tokens(t)
				if tok.User.ID != registered.User.ID || tok.User.MerchantID != registered.User.MerchantID || tok.AccessToken == "" || tok.RefreshToken == "" ||
					tok.RefreshToken == registered.RefreshToken || resp.header.Get("Cache-Control") != "no-store" {
					t.Fatalf("login answer %+v", tok)
				}
			case http.StatusUnauthorized:
				p := resp.problem(t)
				unauthorizedDetails = append(unauthorizedDetails, p.Detail)
				if p.Code != "unauthorized" || resp.header.Get("WWW-Authenticate") == "" {
					t.Fatalf("problem %+v", p)
				}
			case http.StatusBadRequest:
				if p := resp.problem(t); !hasFieldError(p, tc.wantField) {
					t.Fatalf("no error for %q: %+v", tc.wantField, p.Errors)
				}
			}
		})
	}
	// Wrong password and unknown email are indistinguishable.
	if len(unauthorizedDetails) != 2 || unauthorizedDetails[0] != unauthorizedDetails[1] {
		t.Fatalf("401 details differ: %q", unauthorizedDetails)
	}
}

func loginBody(email, password string) map[string]string {
	return map[string]string{"email": email, "password": password}
}

// TestTwentyWrongPasswordsAreThrottled: the account locks after five
// failures, and stays locked (even for the right password) with
// Retry-After.
func TestTwentyWrongPasswordsAreThrottled(t *testing.T) {
	s := newService(t, newDatabaseName())
	email := uniqueEmail("victim")
	s.register(t, shopper(email))

	var statuses []int
	for i := range 20 {
		resp := s.post(t, "/api/v1/auth/login", loginBody(email, "guess number "+strconv.Itoa(i)))
		statuses = append(statuses, resp.status)
		if resp.status == http.StatusTooManyRequests {
			if p := resp.problem(t); p.Code != "rate_limited" {
				t.Fatalf("429 problem %+v", p)
			}
			if secs, err := strconv.Atoi(resp.header.Get("Retry-After")); err != nil || secs < 1 {
				t.Fatalf("Retry-After %q", resp.header.Get("Retry-After"))
			}
		}
	}
	want := append(slices.Repeat([]int{http.StatusUnauthorized}, 5), slices.Repeat([]int{http.StatusTooManyRequests}, 15)...)
	if !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
	// Locked means locked: the right password waits too, from any address.
	resp := s.do(t, request{method: http.MethodPost, path: "/api/v1/auth/login", body: jsonOf(t, loginBody(email, "correct horse battery")), remoteAddr: "198.51.100.7:4000"})
	if resp.status != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: %d", resp.status)
	}
}

// TestLoginThrottlePerClientAddress: one address guessing many accounts is
// locked; behind the gateway (a trusted proxy) the address that counts is
// the client's from X-Forwarded-For, and a client cannot dodge the count by
// sending its own X-Forwarded-For.
func TestLoginThrottlePerClientAddress(t *testing.T) {
	s := newService(t, newDatabaseName())
	viaGateway := func(client string, email string) response {
		return s.do(t, request{method: http.MethodPost, path: "/api/v1/auth/login", body: jsonOf(t, loginBody(email, "wrong password!")),
			remoteAddr: "127.0.0.1:40000", header: map[string]string{"X-Forwarded-For": client}})
	}
	for i := range 20 {
		if resp := viaGateway("203.0.113.9", uniqueEmail("spray")); resp.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, resp.status)
		}
	}
	if resp := viaGateway("203.0.113.9", uniqueEmail("spray")); resp.status != http.StatusTooManyRequests || resp.header.Get("Retry-After") == "" {
		t.Fatalf("21st failure from one client: %d", resp.status)
	}
	if resp := viaGateway("203.0.113.10", uniqueEmail("other")); resp.status != http.StatusUnauthorized {
		t.Fatalf("another client behind the same gateway must not be locked: %d", resp.status)
	}

	// Directly from an untrusted address, a forged X-Forwarded-For is
	// ignored: the connection's address is counted.
	for i := range 20 {
		resp := s.do(t, request{method: http.MethodPost, path: "/api/v1/auth/login", body: jsonOf(t, loginBody(uniqueEmail("direct"), "wrong password!")),
			remoteAddr: "192.0.2.50:1234", header: map[string]string{"X-Forwarded-For": "10.1.1." + strconv.Itoa(i)}})
		if resp.status != http.StatusUnauthorized {
			t.Fatalf("direct attempt %d: %d", i, resp.status)
		}
	}
	resp := s.do(t, request{method: http.MethodPost, path: "/api/v1/auth/login", body: jsonOf(t, loginBody(uniqueEmail("direct"), "wrong password!")),
		remoteAddr: "192.0.2.50:1234", header: map[string]string{"X-Forwarded-For": "10.9.9.9"}})
	if resp.status != http.StatusTooManyRequests {
		t.Fatalf("spoofed X-Forwarded-For dodged the throttle: %d", resp.status)
	}
}
