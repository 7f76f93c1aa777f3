package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/testkit/authtest"
)

func init() { gin.SetMode(gin.TestMode) }

// router serves /private (Require), /public (Optional) and /merchant
// (Require + RequireRole merchant); each answers with the caller it saw.
func router(v *auth.Verifier) *gin.Engine {
	r := gin.New()
	whoAmI := func(c *gin.Context) {
		caller, ok := auth.CallerFrom(c.Request.Context())
		c.JSON(http.StatusOK, gin.H{"authenticated": ok, "user_id": caller.UserID})
	}
	r.GET("/private", v.Require(), whoAmI)
	r.GET("/public", v.Optional(), whoAmI)
	r.GET("/merchant", v.Require(), auth.RequireRole(auth.RoleMerchant, auth.RoleAdmin), whoAmI)
	r.GET("/no-auth-role", auth.RequireRole(auth.RoleAdmin), whoAmI)
	return r
}

type answer struct {
	status        int
	wwwAuth       bool // a WWW-Authenticate challenge was sent
	detail        string
	contentType   string
	code          string
	authenticated bool
	userID        string
}

func call(t *testing.T, h http.Handler, path string, headers map[string]string) answer {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body struct {
		Code          string `json:"code"`
		Detail        string `json:"detail"`
		Authenticated bool   `json:"authenticated"`
		UserID        string `json:"user_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: body %q: %v", path, rec.Body.String(), err)
	}
	return answer{rec.Code, strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer"), body.Detail,
		rec.Header().Get("Content-Type"), body.Code, body.Authenticated, body.UserID}
}

func TestMiddleware(t *testing.T) {
	iss := authtest.New(t)
	h := router(iss.Verifier(t))
	shopperToken := iss.Token(auth.Caller{UserID: "shopper-1", Roles: []string{auth.RoleShopper}})
	merchantToken := iss.Token(merchant)
	bearer := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

	cases := []struct {
		name    string
		path    string
		headers map[string]string
		want    answer
	}{
		{"require: valid token", "/private", bearer(shopperToken), answer{status: 200, authenticated: true, userID: "shopper-1"}},
		{"require: lowercase scheme", "/private", map[string]string{"Authorization": "bearer " + shopperToken}, answer{status: 200, authenticated: true, userID: "shopper-1"}},
		{"require: no header", "/private", nil, answer{status: 401, code: "unauthorized"}},
		{"require: identity headers are not trusted", "/private", map[string]string{"X-User-Id": "admin", "X-Roles": "admin"}, answer{status: 401, code: "unauthorized"}},
		{"require: basic scheme", "/private", map[string]string{"Authorization": "Basic dXNlcjpwdw=="}, answer{status: 401, code: "unauthorized"}},
		{"require: bearer without token", "/private", map[string]string{"Authorization": "Bearer "}, answer{status: 401, code: "unauthorized"}},
		{"require: bad token", "/private", bearer("x.y.z"), answer{status: 401, code: "unauthorized"}},
		{"optional: anonymous", "/public", nil, answer{status: 200}},
		{"optional: valid token", "/public", bearer(shopperToken), answer{status: 200, authenticated: true, userID: "shopper-1"}},
		{"optional: bad token is refused", "/public", bearer("x.y.z"), answer{status: 401, code: "unauthorized"}},
		{"role: merchant admitted", "/merchant", bearer(merchantToken), answer{status: 200, authenticated: true, userID: "user-1"}},
		{"role: shopper forbidden", "/merchant", bearer(shopperToken), answer{status: 403, code: "forbidden"}},
		{"role: no caller", "/no-auth-role", nil, answer{status: 401, code: "unauthorized"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := call(t, h, tc.path, tc.headers)
			switch tc.want.status {
			case 401:
				// One generic answer whatever the reason: no oracle.
				tc.want.contentType, tc.want.wwwAuth = "application/problem+json", true
				tc.want.detail = "unauthorized: missing, invalid or expired access token"
			case 403:
				tc.want.contentType, tc.want.detail = "application/problem+json", "forbidden: requires role merchant or admin"
			default:
				tc.want.contentType = "application/json; charset=utf-8"
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCallerRoles(t *testing.T) {
	cases := []struct {
		caller          auth.Caller
		merchant, admin bool
		hasShopper      bool
	}{
		{auth.Caller{Roles: []string{auth.RoleShopper}}, false, false, true},
		{auth.Caller{Roles: []string{auth.RoleMerchant}, MerchantID: "m"}, true, false, false},
		{auth.Caller{Roles: []string{auth.RoleMerchant}}, false, false, false}, // no tenant: not a usable merchant
		{auth.Caller{Roles: []string{auth.RoleAdmin}}, false, true, false},
	}
	for _, tc := range cases {
		if tc.caller.IsMerchant() != tc.merchant || tc.caller.IsAdmin() != tc.admin || tc.caller.HasRole(auth.RoleShopper) != tc.hasShopper {
			t.Errorf("%+v: merchant=%v admin=%v shopper=%v", tc.caller, tc.caller.IsMerchant(), tc.caller.IsAdmin(), tc.caller.HasRole(auth.RoleShopper))
		}
	}
}
