// Package api serves the users service's HTTP endpoints (docs/api.md):
// register, login, refresh, logout, the caller's profile and address book
// (addresses.go), and the JWKS.
// Handlers bind request bodies into request types (never into stored
// models, so no body can set a role, id or merchant id) and answer errors
// through httpserver.WriteError.
package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/httpserver"

	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/users/internal/security"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

// JWKSPath is where the public signing keys are served; JWKSAliasPath is
// the same document under the auth API.
const (
	JWKSPath      = "/.well-known/jwks.json"
	JWKSAliasPath = "/api/v1/auth/jwks.json"
)

// Handler holds the dependencies of the endpoints.
type Handler struct {
	accounts *usecase.Service
	ring     *security.KeyRing
	verifier *auth.Verifier
}

// New builds a Handler. verifier checks access tokens for /users/me and
// logout (see NewLocalVerifier).
func New(accts *usecase.Service, ring *security.KeyRing, verifier *auth.Verifier) *Handler {
	return &Handler{accounts: accts, ring: ring, verifier: verifier}
}

// Register mounts the routes on r.
func (h *Handler) Register(r gin.IRouter) {
	authAPI := r.Group("/api/v1/auth")
	authAPI.POST("/register", h.register)
	authAPI.POST("/login", h.login)
	authAPI.POST("/refresh", h.refresh)
	authAPI.POST("/logout", h.verifier.Require(), h.logout)
	authAPI.GET("/jwks.json", h.jwks)
	r.GET("/api/v1/users/me", h.verifier.Require(), h.me)
	h.registerAddresses(r)
	r.GET(JWKSPath, h.jwks)
}

// jwks serves the public keys that may verify unexpired tokens.
func (h *Handler) jwks(c *gin.Context) {
	doc, err := h.ring.JWKS(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", doc)
}
