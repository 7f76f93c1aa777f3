package auth

import (
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// errInvalidToken is what a client is told about any refused token; the
// precise reason goes to the debug log only, so probing learns nothing.
var errInvalidToken = fmt.Errorf("%w: missing, invalid or expired access token", apperr.ErrUnauthorized)

// Require is a gin middleware that admits only requests with a valid
// Authorization: Bearer token, stores the Caller in the request context and
// refuses everything else with 401.
func (v *Verifier) Require() gin.HandlerFunc {
	return func(c *gin.Context) {
		raw, err := bearerToken(c.GetHeader("Authorization"))
		if err == nil && raw == "" {
			err = fmt.Errorf("%w: missing bearer token", apperr.ErrUnauthorized)
		}
		if err == nil {
			err = v.authenticate(c, raw)
		}
		if err != nil {
			v.refuse(c, err)
			return
		}
		c.Next()
	}
}

// Optional is a gin middleware for routes open to anyone: a request without
// an Authorization header passes anonymously, a request with a valid token
// passes with its Caller, and a request with an invalid token gets 401.
func (v *Verifier) Optional() gin.HandlerFunc {
	return func(c *gin.Context) {
		raw, err := bearerToken(c.GetHeader("Authorization"))
		if err == nil && raw != "" {
			err = v.authenticate(c, raw)
		}
		if err != nil {
			v.refuse(c, err)
			return
		}
		c.Next()
	}
}

// RequireRole is a gin middleware, placed after Require, that admits callers
// holding at least one of roles and refuses others with 403. A request with
// no caller at all gets 401.
func RequireRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		caller, ok := CallerFrom(c.Request.Context())
		if !ok {
			httpserver.WriteError(c, errInvalidToken)
			return
		}
		for _, r := range roles {
			if caller.HasRole(r) {
				c.Next()
				return
			}
		}
		httpserver.WriteError(c, fmt.Errorf("%w: requires role %s", apperr.ErrForbidden, strings.Join(roles, " or ")))
	}
}

func (v *Verifier) authenticate(c *gin.Context, raw string) error {
	caller, err := v.Verify(c.Request.Context(), raw)
	if err != nil {
		return err
	}
	c.Request = c.Request.WithContext(WithCaller(c.Request.Context(), caller))
	return nil
}

// bearerToken extracts the token of an Authorization header; "" when the
// header is absent, an error when it is present but not a Bearer token.
func bearerToken(header string) (string, error) {
	if header == "" {
		return "", nil
	}
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", fmt.Errorf("%w: authorization header is not a bearer token", apperr.ErrUnauthorized)
	}
	return token, nil
}

// refuse answers 401 (problem+json, WWW-Authenticate) and aborts.
func (v *Verifier) refuse(c *gin.Context, reason error) {
	v.logger.DebugContext(c.Request.Context(), "access token refused", "reason", reason.Error())
	httpserver.WriteError(c, errInvalidToken)
}
