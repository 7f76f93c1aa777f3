package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/mercato-shop/mercato/users/internal/security"
)

// BenchmarkLogin measures a login through gin with the production argon2id
// cost (security.DefaultPasswordParams): a success, a wrong password and an
// unknown email, which should cost the same. Each iteration uses its own
// client address and the wrong-password account is re-registered so the
// throttle never answers instead.
//
//	go test -run '^$' -bench Login -benchtime 40x ./users/internal/api/
func BenchmarkLogin(b *testing.B) {
	s := newServiceWithHashParams(b, newDatabaseName(), security.DefaultPasswordParams)
	email := uniqueEmail("bench")
	s.register(b, shopper(email))
	cases := []struct {
		name     string
		email    func() string
		password string
		status   int
	}{
		{"success", func() string { return email }, "correct horse battery", http.StatusOK},
		{"wrong password", func() string { e := uniqueEmail("bench-wrong"); s.register(b, shopper(e)); return e }, "wrong horse battery", http.StatusUnauthorized},
		{"unknown email", func() string { return uniqueEmail("bench-unknown") }, "wrong horse battery", http.StatusUnauthorized},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				body := jsonOf(b, loginBody(tc.email(), tc.password))
				client := fmt.Sprintf("10.%d.%d.%d:1234", i>>16&255, i>>8&255, i&255)
				b.StartTimer()
				resp := s.do(b, request{method: http.MethodPost, path: "/api/v1/auth/login", body: body, remoteAddr: client})
				if resp.status != tc.status {
					b.Fatalf("status %d, want %d", resp.status, tc.status)
				}
			}
		})
	}
}
