package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

// registerRequest is the body of POST /auth/register. Only these fields
// are accepted: id, roles, merchant_id or anything else is a 400, and
// role "admin" fails validation.
type registerRequest struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	StoreName string `json:"store_name"`
}

// loginRequest is the body of POST /auth/login.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// refreshRequest is the body of POST /auth/refresh and /auth/logout.
type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (h *Handler) register(c *gin.Context) {
	var req registerRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	tokens, err := h.accounts.Register(c, domain.RegistrationInput(req))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	writeTokens(c, http.StatusCreated, tokens)
}

func (h *Handler) login(c *gin.Context) {
	var req loginRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	verr := &apperr.ValidationError{}
	if req.Email == "" {
		verr.Add("email", "is required")
	}
	if req.Password == "" {
		verr.Add("password", "is required")
	}
	if err := verr.Err(); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	tokens, err := h.accounts.Login(c, req.Email, req.Password, c.ClientIP())
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	writeTokens(c, http.StatusOK, tokens)
}

func (h *Handler) refresh(c *gin.Context) {
	token, ok := bindRefreshToken(c)
	if !ok {
		return
	}
	tokens, err := h.accounts.Refresh(c, token)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	writeTokens(c, http.StatusOK, tokens)
}

func (h *Handler) logout(c *gin.Context) {
	token, ok := bindRefreshToken(c)
	if !ok {
		return
	}
	caller, _ := auth.CallerFrom(c) // Require ran before
	if err := h.accounts.Logout(c, caller.UserID, token); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) me(c *gin.Context) {
	caller, _ := auth.CallerFrom(c) // Require ran before
	user, err := h.accounts.Me(c, caller.UserID)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, newUserResponse(user))
}

// bindRefreshToken reads {refresh_token}; on failure it has answered.
func bindRefreshToken(c *gin.Context) (string, bool) {
	var req refreshRequest
	err := httpserver.BindJSON(c, &req)
	if err == nil && req.RefreshToken == "" {
		err = apperr.Validation(apperr.FieldError{Field: "refresh_token", Message: "is required"})
	}
	if err != nil {
		httpserver.WriteError(c, err)
		return "", false
	}
	return req.RefreshToken, true
}

// writeTokens answers a token response, never cached.
func writeTokens(c *gin.Context, status int, t usecase.Tokens) {
	c.Header("Cache-Control", "no-store")
	c.JSON(status, tokenResponse{
		User:         newUserResponse(t.User),
		AccessToken:  t.Access.Token,
		TokenType:    "Bearer",
		ExpiresIn:    int64(t.Access.ExpiresIn.Seconds()),
		RefreshToken: t.Refresh,
	})
}
