// Package api serves the payments service's HTTP endpoints: a shopper's
// view of an order's payment, and Stripe's webhooks.
package api

import (
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/usecase"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/events"
)

// MaxWebhookBytes bounds a webhook body; Stripe's events are a few KiB.
const MaxWebhookBytes = 64 << 10

// Handler holds the endpoints' dependencies.
type Handler struct {
	svc           *usecase.Service
	webhookSecret string
	log           *slog.Logger
}

// Register mounts the routes on r; verifier guards the shopper's read and
// webhookSecret verifies Stripe's webhooks.
func Register(r gin.IRouter, svc *usecase.Service, verifier *auth.Verifier, webhookSecret string, logger *slog.Logger) {
	h := &Handler{svc: svc, webhookSecret: webhookSecret, log: logger}
	r.POST("/api/v1/payments/webhooks/stripe", h.stripeWebhook)
	r.GET("/api/v1/payments/:order_id", verifier.Require(), h.getPayment)
}

// paymentResponse is GET /api/v1/payments/{order_id}. Money is
// {amount, currency} as everywhere in the public API.
type paymentResponse struct {
	OrderID         string           `json:"order_id"`
	Status          string           `json:"status"`
	Amount          events.Money     `json:"amount"`
	Attempt         int              `json:"attempt"`
	PaymentIntentID string           `json:"payment_intent_id,omitempty"`
	DeclineCode     string           `json:"decline_code,omitempty"`
	FailureCode     string           `json:"failure_code,omitempty"`
	FailureMessage  string           `json:"failure_message,omitempty"`
	NextAction      string           `json:"next_action,omitempty"`
	ClientSecret    string           `json:"client_secret,omitempty"`
	Refunds         []refundResponse `json:"refunds"`
	RefundedAmount  events.Money     `json:"refunded_amount"`
	CreatedAt       time.Time        `json:"created_at"`
	UpdatedAt       time.Time        `json:"updated_at"`
}

type refundResponse struct {
	ID          string       `json:"id,omitempty"`
	Amount      events.Money `json:"amount"`
	Status      string       `json:"status"`
	Reason      string       `json:"reason,omitempty"`
	RequestedAt time.Time    `json:"requested_at"`
	CompletedAt *time.Time   `json:"completed_at,omitempty"`
}

// getPayment shows an order's payment to the shopper who placed it;
// anyone else gets 404, as for an unknown order.
func (h *Handler) getPayment(c *gin.Context) {
	caller, _ := auth.CallerFrom(c)
	p, err := h.svc.Get(c.Request.Context(), c.Param("order_id"), caller.UserID)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(200, toResponse(p))
}

func toResponse(p *domain.Payment) paymentResponse {
	out := paymentResponse{
		OrderID: p.OrderID, Status: string(p.Status), Amount: events.Money{Amount: p.Amount, Currency: p.Currency}, Attempt: p.Attempt,
		PaymentIntentID: p.PaymentIntentID, DeclineCode: p.DeclineCode, FailureCode: p.FailureCode, FailureMessage: p.FailureMessage,
		NextAction: p.NextAction, ClientSecret: p.ClientSecret, Refunds: []refundResponse{},
		RefundedAmount: events.Money{Amount: p.RefundedAmount, Currency: p.Currency}, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	for _, r := range p.Refunds {
		rr := refundResponse{ID: r.StripeRefundID, Amount: events.Money{Amount: r.Amount, Currency: p.Currency}, Status: string(r.Status), Reason: r.Reason, RequestedAt: r.RequestedAt}
		if !r.CompletedAt.IsZero() {
			completed := r.CompletedAt
			rr.CompletedAt = &completed
		}
		out.Refunds = append(out.Refunds, rr)
	}
	return out
}
