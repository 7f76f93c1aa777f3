package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/notifications/internal/api"
	"github.com/mercato-shop/mercato/notifications/internal/testenv"
	"github.com/mercato-shop/mercato/notifications/internal/usecase"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/testkit/authtest"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }

type fixture struct {
	url    string
	issuer *authtest.Issuer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testenv.New(t, usecase.Options{})
	iss := authtest.New(t)
	srv := httpserver.New(httpserver.Options{Service: "notifications", Logger: testenv.Logger()})
	api.Register(srv.Router(), env.Svc, iss.Verifier(t))
	hs := httptest.NewServer(srv.Router())
	t.Cleanup(hs.Close)
	return &fixture{url: hs.URL, issuer: iss}
}

var (
	shopper  = auth.Caller{UserID: "u-shopper", Roles: []string{auth.RoleShopper}}
	merchant = auth.Caller{UserID: "u-m1", Roles: []string{auth.RoleMerchant}, MerchantID: "m1"}
	rival    = auth.Caller{UserID: "u-m2", Roles: []string{auth.RoleMerchant}, MerchantID: "m2"}
)

type answer struct {
	status int
	ctype  string
	body   map[string]any
}

func (f *fixture) call(t *testing.T, method, path string, who *auth.Caller, body string) answer {
	t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	} else {
		rd = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, f.url+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != nil {
		req.Header.Set("Authorization", "Bearer "+f.issuer.Token(*who))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type")}
	_ = json.NewDecoder(resp.Body).Decode(&a.body)
	return a
}

func enabled(a answer) map[string]bool {
	out := map[string]bool{}
	kinds, _ := a.body["kinds"].([]any)
	for _, k := range kinds {
		m := k.(map[string]any)
		out[m["kind"].(string)] = m["enabled"].(bool)
	}
	return out
}

func TestPreferencesCanBeReadAndChanged(t *testing.T) {
	f := newFixture(t)
	const path = "/api/v1/users/me/notifications"
	if a := f.call(t, http.MethodGet, path, nil, ""); a.status != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", a.status)
	}
	a := f.call(t, http.MethodGet, path, &shopper, "")
	if a.status != http.StatusOK || len(enabled(a)) != 7 || !enabled(a)["order_shipped"] {
		t.Fatalf("defaults: %d %v", a.status, a.body)
	}
	a = f.call(t, http.MethodPut, path, &shopper, `{"enabled":{"order_shipped":false}}`)
	if a.status != http.StatusOK || enabled(a)["order_shipped"] || !enabled(a)["welcome"] {
		t.Fatalf("turn shipped off: %d %v", a.status, a.body)
	}
	if got := enabled(f.call(t, http.MethodGet, path, &shopper, "")); got["order_shipped"] {
		t.Error("the change was not kept")
	}
	if got := enabled(f.call(t, http.MethodGet, path, &merchant, "")); !got["order_shipped"] {
		t.Error("another user's preferences changed")
	}
}

func TestBadPreferencesAre400AndStoreNothing(t *testing.T) {
	f := newFixture(t)
	const path = "/api/v1/users/me/notifications"
	for name, c := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"transactional off": {`{"enabled":{"order_shipped":false,"order_confirmed":false}}`, 400, "validation_failed"},
		"unknown kind":      {`{"enabled":{"order_shipped":false,"newsletter":false}}`, 400, "validation_failed"},
		"unknown field":     {`{"enabled":{"order_shipped":false},"email":"x@y"}`, 400, "validation_failed"},
		"wrong type":        {`{"enabled":{"order_shipped":"no"}}`, 400, "validation_failed"},
		"no enabled":        {`{}`, 400, "validation_failed"},
		"huge":              {`{"enabled":{"order_shipped":false},"x":"` + strings.Repeat("a", api.MaxBodyBytes) + `"}`, 413, "payload_too_large"},
	} {
		a := f.call(t, http.MethodPut, path, &shopper, c.body)
		if a.status != c.status || a.body["code"] != c.code || !strings.HasPrefix(a.ctype, "application/problem+json") {
			t.Errorf("%s: %d %s %v, want %d %s problem", name, a.status, a.ctype, a.body, c.status, c.code)
		}
	}
	if got := enabled(f.call(t, http.MethodGet, path, &shopper, "")); !got["order_shipped"] {
		t.Error("a refused request changed the preferences")
	}
}

func TestWebhookRegistrationRefusesBadInputAndForgeryTargets(t *testing.T) {
	f := newFixture(t)
	const path = "/api/v1/merchant/webhooks"
	if a := f.call(t, http.MethodPost, path, &shopper, `{"url":"https://hooks.example.com/","event_types":["order.paid"]}`); a.status != http.StatusForbidden {
		t.Errorf("shopper registering: %d", a.status)
	}
	for name, body := range map[string]string{
		"invalid url":         `{"url":"not a url","event_types":["order.paid"]}`,
		"plain http":          `{"url":"http://hooks.example.com/","event_types":["order.paid"]}`,
		"cloud metadata":      `{"url":"http://169.254.169.254/","event_types":["order.paid"]}`,
		"private network":     `{"url":"http://10.0.0.1/","event_types":["order.paid"]}`,
		"private over https":  `{"url":"https://10.0.0.1/","event_types":["order.paid"]}`,
		"unknown event type":  `{"url":"https://hooks.example.com/","event_types":["order.exploded"]}`,
		"no event types":      `{"url":"https://hooks.example.com/","event_types":[]}`,
		"unknown field":       `{"url":"https://hooks.example.com/","event_types":["order.paid"],"merchant_id":"m2"}`,
		"not json":            `{"url":`,
		"huge":                `{"url":"https://hooks.example.com/` + strings.Repeat("a", api.MaxBodyBytes) + `","event_types":["order.paid"]}`,
		"credentials in url":  `{"url":"https://u:p@hooks.example.com/","event_types":["order.paid"]}`,
		"repeated event type": `{"url":"https://hooks.example.com/","event_types":["order.paid","order.paid"]}`,
	} {
		a := f.call(t, http.MethodPost, path, &merchant, body)
		want, code := http.StatusBadRequest, "validation_failed"
		if name == "huge" {
			want, code = http.StatusRequestEntityTooLarge, "payload_too_large"
		}
		if a.status != want || a.body["code"] != code || !strings.HasPrefix(a.ctype, "application/problem+json") {
			t.Errorf("%s: %d %s %v, want %d %s", name, a.status, a.ctype, a.body, want, code)
		}
	}
	if a := f.call(t, http.MethodGet, path, &merchant, ""); a.status != 200 || len(a.body["items"].([]any)) != 0 {
		t.Fatalf("after refused registrations: %d %v, want none stored", a.status, a.body)
	}
}

func TestAMerchantSeesAndChangesOnlyItsOwnWebhooks(t *testing.T) {
	f := newFixture(t)
	const path = "/api/v1/merchant/webhooks"
	a := f.call(t, http.MethodPost, path, &merchant, `{"url":"http://127.0.0.1:9/hook","event_types":["order.paid","order.shipped"]}`)
	if a.status != http.StatusCreated || !strings.HasPrefix(a.body["secret"].(string), "whsec_") {
		t.Fatalf("register: %d %v", a.status, a.body)
	}
	id := a.body["id"].(string)
	list := f.call(t, http.MethodGet, path, &merchant, "")
	items := list.body["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["secret"] != nil {
		t.Fatalf("list: %v (the secret must not be listed)", list.body)
	}
	if got := f.call(t, http.MethodGet, path, &rival, "").body["items"].([]any); len(got) != 0 {
		t.Errorf("the rival lists %v", got)
	}
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, path + "/" + id},
		{http.MethodGet, path + "/" + id + "/deliveries"},
		{http.MethodPost, path + "/" + id + "/rotate-secret"},
		{http.MethodDelete, path + "/" + id},
	} {
		if a := f.call(t, c.method, c.path, &rival, ""); a.status != http.StatusNotFound || a.body["code"] != "not_found" {
			t.Errorf("rival %s %s: %d %v", c.method, c.path, a.status, a.body)
		}
	}
	if a := f.call(t, http.MethodGet, path+"/"+id+"/deliveries", &merchant, ""); a.status != 200 {
		t.Errorf("own deliveries: %d", a.status)
	}
	rot := f.call(t, http.MethodPost, path+"/"+id+"/rotate-secret", &merchant, "")
	if rot.status != 200 || rot.body["secret"] == a.body["secret"] {
		t.Errorf("rotate: %d %v", rot.status, rot.body)
	}
	if a := f.call(t, http.MethodDelete, path+"/"+id, &merchant, ""); a.status != http.StatusNoContent {
		t.Errorf("delete: %d", a.status)
	}
	if a := f.call(t, http.MethodGet, path+"/"+id, &merchant, ""); a.status != http.StatusNotFound {
		t.Errorf("after delete: %d", a.status)
	}
}
