package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// newRouter is a gin engine with the UI routes and a NoRoute handler
// standing in for the gateway's problem+json 404.
func newRouter(t *testing.T, opts Options) *gin.Engine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.NoRoute(func(c *gin.Context) {
		c.Data(http.StatusNotFound, "application/problem+json", []byte(`{"status":404,"code":"not_found"}`))
	})
	r.Any("/api/v1/products", func(c *gin.Context) { c.String(http.StatusTeapot, "api") })
	Register(r, opts)
	return r
}

func get(t *testing.T, r http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

var assetRef = regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`)

func TestPagesServeTheirHTMLForClientSideRoutes(t *testing.T) {
	r := newRouter(t, Options{})
	cases := map[string]string{
		"/":                      "js/store/main.js",
		"/search?q=lamp":         "js/store/main.js",
		"/product/p-123":         "js/store/main.js",
		"/cart":                  "js/store/main.js",
		"/checkout":              "js/store/main.js",
		"/orders":                "js/store/main.js",
		"/orders/o-1":            "js/store/main.js",
		"/login":                 "js/store/main.js",
		"/register":              "js/store/main.js",
		"/account":               "js/store/main.js",
		"/merchant":              "js/merchant/main.js",
		"/merchant/products":     "js/merchant/main.js",
		"/merchant/orders/extra": "js/merchant/main.js",
	}
	for target, script := range cases {
		w := get(t, r, target)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", target, w.Code)
			continue
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", target, ct)
		}
		if cc := w.Header().Get("Cache-Control"); cc != CacheRevalidate {
			t.Errorf("GET %s: Cache-Control %q", target, cc)
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", target, csp)
		}
		body := w.Body.String()
		if !strings.Contains(body, script) || strings.Contains(body, assetsPlaceholder) {
			t.Errorf("GET %s: page does not load %s with a filled-in assets path", target, script)
		}
	}
}

func TestEveryAssetAPageNamesIsServedImmutableWithItsType(t *testing.T) {
	r := newRouter(t, Options{})
	for _, page := range []string{"/", "/merchant"} {
		refs := assetRef.FindAllStringSubmatch(get(t, r, page).Body.String(), -1)
		if len(refs) < 4 {
			t.Fatalf("%s names %d assets", page, len(refs))
		}
		for _, ref := range refs {
			w := get(t, r, ref[1])
			if w.Code != http.StatusOK {
				t.Errorf("%s: status %d", ref[1], w.Code)
				continue
			}
			if cc := w.Header().Get("Cache-Control"); cc != CacheImmutable {
				t.Errorf("%s: Cache-Control %q", ref[1], cc)
			}
			want := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
			for ext, ct := range want {
				if strings.HasSuffix(ref[1], ext) && w.Header().Get("Content-Type") != ct {
					t.Errorf("%s: Content-Type %q, want %q", ref[1], w.Header().Get("Content-Type"), ct)
				}
			}
		}
	}
}

// TestModuleImportsResolve checks that every relative import of every
// JavaScript module names an embedded file, so no page fails on a typo.
func TestModuleImportsResolve(t *testing.T) {
	s, err := load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	imports := regexp.MustCompile(`(?m)^import .* from '(\.{1,2}/[^']+)';`)
	checked := 0
	for name, body := range s.files {
		if !strings.HasSuffix(name, ".js") {
			continue
		}
		dir := name[:strings.LastIndex(name, "/")]
		for _, m := range imports.FindAllStringSubmatch(string(body), -1) {
			target := resolve(dir, m[1])
			if _, ok := s.files[target]; !ok {
				t.Errorf("%s imports %s (%s), which is not embedded", name, m[1], target)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Fatalf("only %d imports found; the pattern is broken", checked)
	}
}

func resolve(dir, rel string) string {
	parts := strings.Split(dir, "/")
	for _, seg := range strings.Split(rel, "/") {
		switch seg {
		case ".":
		case "..":
			parts = parts[:len(parts)-1]
		default:
			parts = append(parts, seg)
		}
	}
	return strings.Join(parts, "/")
}

func TestUnversionedAndOldVersionAssetsAreRevalidated(t *testing.T) {
	r := newRouter(t, Options{})
	for _, target := range []string{"/assets/css/app.css", "/assets/0123456789ab/css/app.css"} {
		w := get(t, r, target)
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != CacheRevalidate {
			t.Errorf("%s: status %d, Cache-Control %q", target, w.Code, w.Header().Get("Cache-Control"))
		}
	}
}

func TestMissingAssetsAndHTMLUnderAssetsAre404(t *testing.T) {
	r := newRouter(t, Options{})
	for _, target := range []string{"/assets/nope.js", "/assets/store.html", "/assets/../store.html", "/assets/products/Bad_Name.svg"} {
		if w := get(t, r, target); w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, w.Code)
		}
	}
}

func TestAPIAndUnknownPathsAreNotTheUIs(t *testing.T) {
	r := newRouter(t, Options{})
	if w := get(t, r, "/api/v1/products"); w.Code != http.StatusTeapot {
		t.Errorf("the API route answered %d: the UI took it over", w.Code)
	}
	for _, target := range []string{"/api/v1/nope", "/favicon.ico", "/wp-admin"} {
		w := get(t, r, target)
		if w.Code != http.StatusNotFound || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: status %d, Content-Type %q; want the NoRoute problem", target, w.Code, w.Header().Get("Content-Type"))
		}
	}
}

func TestConfigJSONCarriesThePublishableKey(t *testing.T) {
	for _, key := range []string{"", "pk_test_123"} {
		w := get(t, newRouter(t, Options{StripePublishableKey: key}), "/config.json")
		var cfg struct {
			Key *string `json:"stripe_publishable_key"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &cfg); err != nil || cfg.Key == nil || *cfg.Key != key {
			t.Errorf("key %q: body %s, err %v", key, w.Body, err)
		}
		if w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
		}
	}
}

func TestProductImagesAreGeneratedDeterministically(t *testing.T) {
	r := newRouter(t, Options{})
	first := get(t, r, "/assets/products/desk-lamp.svg")
	if first.Code != http.StatusOK || first.Header().Get("Content-Type") != "image/svg+xml" || first.Header().Get("Cache-Control") != CacheProductImage {
		t.Fatalf("status %d, headers %v", first.Code, first.Header())
	}
	body := first.Body.String()
	if !strings.HasPrefix(body, "<svg") || !strings.Contains(body, "Desk Lamp") {
		t.Fatalf("image: %s", body)
	}
	if again := get(t, r, "/assets/products/desk-lamp.svg").Body.String(); again != body {
		t.Error("the same slug gave another picture")
	}
	if other := get(t, r, "/assets/products/tea-cup.svg").Body.String(); other == body {
		t.Error("two slugs gave the same picture")
	}
}

func TestHeadIsAnswered(t *testing.T) {
	r := newRouter(t, Options{})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodHead, "/merchant", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("HEAD /merchant: %d", w.Code)
	}
}

// TestServedOverHTTP goes through a real listener once.
func TestServedOverHTTP(t *testing.T) {
	srv := httptest.NewServer(newRouter(t, Options{}))
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/product/abc")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="main"`) {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
}
