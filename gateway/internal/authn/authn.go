// Package authn is the gateway's token check: every proxied /api/ route
// except the public ones needs a valid access token, verified with the
// same platform verifier the services use (EdDSA pinned, JWKS from the
// users service). A refused request gets 401 problem+json from the
// gateway and never reaches an upstream. The services verify the token
// again (defense in depth); identity headers a client sends are stripped by
// the proxy either way.
package authn

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
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

// publicRoutes are the API routes that need no token (docs/api.md "anyone",
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

// TokenVerifier verifies an access token; *auth.Verifier is one.
type TokenVerifier interface {
	Verify(ctx context.Context, rawToken string) (auth.Caller, error)
}

// errInvalidToken is all a refused client learns, as from auth.Require.
var errInvalidToken = fmt.Errorf("%w: missing, invalid or expired access token", apperr.ErrUnauthorized)

// Middleware admits public requests as they are and everything else only
// with a valid Authorization: Bearer token, whose caller it puts in the
// request context; anything else is 401 problem+json with
// WWW-Authenticate. Verified tokens are remembered by their SHA-256 until
// they expire (at most CacheTTL, at most CacheSize of them), so a client's
// later requests skip the signature check.
func Middleware(v TokenVerifier) gin.HandlerFunc {
	cache := newTokenCache(CacheSize, CacheTTL, time.Now)
	return func(c *gin.Context) {
		if Public(c.Request.Method, c.Request.URL.Path) {
			c.Next()
			return
		}
		raw, ok := bearerToken(c.GetHeader("Authorization"))
		if !ok {
			httpserver.WriteError(c, errInvalidToken)
			return
		}
		key := sha256.Sum256([]byte(raw))
		caller, hit := cache.get(key)
		if !hit {
			var err error
			caller, err = v.Verify(c.Request.Context(), raw)
			if err != nil {
				httpserver.WriteError(c, errInvalidToken)
				return
			}
			cache.put(key, caller, expiryOf(raw))
		}
		c.Request = c.Request.WithContext(auth.WithCaller(c.Request.Context(), caller))
		c.Next()
	}
}

// bearerToken is the token of an "Authorization: Bearer <token>" header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}
