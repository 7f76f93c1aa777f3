// Package api serves the notifications service's HTTP endpoints: a user's
// email preferences, a merchant's webhooks and their deliveries, and the
// operator's replay of a failed notification.
package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// MaxBodyBytes bounds the request bodies of these endpoints.
const MaxBodyBytes = 16 << 10

type handler struct{ svc *usecase.Service }

// Register mounts the routes on r; verifier checks the access tokens.
func Register(r gin.IRouter, svc *usecase.Service, verifier *auth.Verifier) {
	h := &handler{svc: svc}
	me := r.Group("/api/v1/users/me/notifications", verifier.Require())
	me.GET("", h.getPreferences)
	me.PUT("", limitBody, h.putPreferences)

	hooks := r.Group("/api/v1/merchant/webhooks", verifier.Require(), requireMerchant)
	hooks.POST("", limitBody, h.createWebhook)
	hooks.GET("", h.listWebhooks)
	hooks.GET("/:id", h.getWebhook)
	hooks.DELETE("/:id", h.deleteWebhook)
	hooks.POST("/:id/rotate-secret", h.rotateSecret)
	hooks.GET("/:id/deliveries", h.listDeliveries)

	r.POST("/admin/notifications/:id/replay", verifier.Require(), auth.RequireRole(auth.RoleAdmin), h.replay)
}

// limitBody answers 413 for a body over MaxBodyBytes before it is read.
func limitBody(c *gin.Context) {
	if c.Request.ContentLength > MaxBodyBytes {
		httpserver.WriteError(c, apperr.ErrPayloadTooLarge)
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
	c.Next()
}

func requireMerchant(c *gin.Context) {
	caller, _ := auth.CallerFrom(c.Request.Context())
	if !caller.IsMerchant() {
		httpserver.WriteError(c, apperr.ErrForbidden)
		c.Abort()
		return
	}
	c.Next()
}

func caller(c *gin.Context) auth.Caller {
	cl, _ := auth.CallerFrom(c.Request.Context())
	return cl
}

// kindView is one kind of email in the preferences.
type kindView struct {
	Kind          string `json:"kind"`
	Enabled       bool   `json:"enabled"`
	Transactional bool   `json:"transactional"`
}

type preferencesView struct {
	Kinds []kindView `json:"kinds"`
}

func toPreferences(p domain.Preferences) preferencesView {
	out := preferencesView{Kinds: []kindView{}}
	for _, k := range domain.Kinds {
		out.Kinds = append(out.Kinds, kindView{Kind: string(k), Enabled: p.Wants(k), Transactional: k.Transactional()})
	}
	return out
}

func (h *handler) getPreferences(c *gin.Context) {
	p, err := h.svc.Preferences(c.Request.Context(), caller(c).UserID)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPreferences(p))
}

// preferencesRequest is PUT /api/v1/users/me/notifications: the kinds to
// turn on (true) or off (false); kinds not named keep their state.
type preferencesRequest struct {
	Enabled map[string]bool `json:"enabled"`
}

func (h *handler) putPreferences(c *gin.Context) {
	var req preferencesRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	if req.Enabled == nil {
		httpserver.WriteError(c, apperr.Validation(apperr.FieldError{Field: "enabled", Message: "is required"}))
		return
	}
	p, err := h.svc.SetPreferences(c.Request.Context(), caller(c).UserID, req.Enabled)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPreferences(p))
}

// webhookRequest is POST /api/v1/merchant/webhooks.
type webhookRequest struct {
	URL        string   `json:"url"`
	EventTypes []string `json:"event_types"`
}

// webhookView is a webhook; Secret only in the answers that create or
// rotate it.
type webhookView struct {
	ID         string    `json:"id"`
	URL        string    `json:"url"`
	EventTypes []string  `json:"event_types"`
	Secret     string    `json:"secret,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func toWebhook(w domain.Webhook, withSecret bool) webhookView {
	v := webhookView{ID: w.ID, URL: w.URL, EventTypes: w.EventTypes, CreatedAt: w.CreatedAt}
	if withSecret {
		v.Secret = w.Secret
	}
	return v
}

func (h *handler) createWebhook(c *gin.Context) {
	var req webhookRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	w, err := h.svc.RegisterWebhook(c.Request.Context(), caller(c).MerchantID, req.URL, req.EventTypes)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Header("Location", "/api/v1/merchant/webhooks/"+w.ID)
	c.JSON(http.StatusCreated, toWebhook(w, true))
}

func (h *handler) listWebhooks(c *gin.Context) {
	list, err := h.svc.Webhooks(c.Request.Context(), caller(c).MerchantID)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	items := make([]webhookView, 0, len(list))
	for _, w := range list {
		items = append(items, toWebhook(w, false))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": ""})
}

func (h *handler) getWebhook(c *gin.Context) {
	w, err := h.svc.Webhook(c.Request.Context(), caller(c).MerchantID, c.Param("id"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toWebhook(w, false))
}

func (h *handler) deleteWebhook(c *gin.Context) {
	if err := h.svc.DeleteWebhook(c.Request.Context(), caller(c).MerchantID, c.Param("id")); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) rotateSecret(c *gin.Context) {
	w, err := h.svc.RotateSecret(c.Request.Context(), caller(c).MerchantID, c.Param("id"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toWebhook(w, true))
}

// deliveryView is one delivery of a webhook.
type deliveryView struct {
	ID             string     `json:"id"`
	EventID        string     `json:"event_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastError      string     `json:"last_error,omitempty"`
	LastStatusCode int        `json:"last_status_code,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty"`
	DeliveredAt    *time.Time `json:"delivered_at,omitempty"`
}

func (h *handler) listDeliveries(c *gin.Context) {
	limit := 20
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 100 {
			httpserver.WriteError(c, apperr.Validation(apperr.FieldError{Field: "limit", Message: "must be an integer from 1 to 100"}))
			return
		}
		limit = n
	}
	list, err := h.svc.Deliveries(c.Request.Context(), caller(c).MerchantID, c.Param("id"), limit)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	items := make([]deliveryView, 0, len(list))
	for _, d := range list {
		v := deliveryView{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Status: string(d.Status), Attempts: d.Attempts,
			LastError: d.LastError, LastStatusCode: d.LastStatusCode, CreatedAt: d.CreatedAt}
		if d.Status == domain.StatusQueued {
			next := d.NextTryAt
			v.NextAttemptAt = &next
		}
		if !d.DeliveredAt.IsZero() {
			at := d.DeliveredAt
			v.DeliveredAt = &at
		}
		items = append(items, v)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": ""})
}

func (h *handler) replay(c *gin.Context) {
	n, err := h.svc.Replay(c.Request.Context(), c.Param("id"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": n.ID, "status": n.Status, "kind": n.Kind})
}
