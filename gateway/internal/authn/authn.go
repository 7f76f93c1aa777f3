// Package authn is the gateway's token check: every proxied /api/ route
// except the public ones needs a valid access token, verified with the
// same platform verifier the services use (EdDSA pinned, JWKS from the
// users service). A refused request gets 401 problem+json from the
// gateway and never reaches an upstream. The services verify the token
// again (defense in depth); identity headers a client sends are stripped by
// the proxy either way.
package authn

import (
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/auth"
)

// publicRoute is a path open to anyone for some methods: the exact path,
// or (prefix) also everything under it.
type publicRoute struct {
	path    string
	prefix  bool
	methods []string
}

var (
	readOnly = []string{http.MethodGet, http.MethodHead}
	postOnly = []string{http.MethodPost}
)

// publicRoutes are the API routes that need no token (DESIGN §5 "anyone",
// and Stripe's webhooks, which carry a signature instead).
var publicRoutes = []publicRoute{
	{path: "/api/v1/auth/register", methods: postOnly},
	{path: "/api/v1/auth/login", methods: postOnly},
	{path: "/api/v1/auth/refresh", methods: postOnly},
	{path: "/api/v1/auth/jwks.json", methods: readOnly},
	{path: "/api/v1/products", prefix: true, methods: readOnly},
	{path: "/api/v1/categories", prefix: true, methods: readOnly},
	{path: "/api/v1/payments/webhooks/stripe", methods: postOnly},
}

// Public reports whether a request may pass without a token: everything
// outside /api/ (the JWKS, the static web UI, health probes) and the
// public API routes. A path that is not in clean form (dot segments,
// doubled slashes) is never public, so it cannot borrow a public prefix.
func Public(method, urlPath string) bool {
	if !strings.HasPrefix(urlPath, "/api/") {
		return true
	}
	if path.Clean(urlPath) != urlPath {
		return false
	}
	for _, r := range publicRoutes {
		if (urlPath == r.path || r.prefix && strings.HasPrefix(urlPath, r.path+"/")) && slices.Contains(r.methods, method) {
			return true
		}
	}
	return false
}

// Middleware admits public requests as they are and everything else only
// with a valid Authorization: Bearer token (auth.Verifier.Require, which
// answers 401 problem+json with WWW-Authenticate otherwise).
func Middleware(v *auth.Verifier) gin.HandlerFunc {
	require := v.Require()
	return func(c *gin.Context) {
		if Public(c.Request.Method, c.Request.URL.Path) {
			c.Next()
			return
		}
		require(c)
	}
}
