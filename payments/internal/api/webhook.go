package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/payments/internal/stripeapi"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// webhookResponse acknowledges a Stripe event.
type webhookResponse struct {
	Received bool   `json:"received"`
	Result   string `json:"result"`
}

// stripeWebhook verifies the raw body against Stripe-Signature, then
// applies the event once. A body that fails verification is 400 and
// changes nothing; events about unknown payments are acknowledged (200) so
// Stripe stops retrying them; a store failure is 503 so Stripe retries.
func (h *Handler) stripeWebhook(c *gin.Context) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxWebhookBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(c, fmt.Errorf("webhook body over %d bytes: %w", MaxWebhookBytes, apperr.ErrPayloadTooLarge))
			return
		}
		writeError(c, fmt.Errorf("read webhook body: %w", err))
		return
	}
	ev, err := stripeapi.ParseWebhook(body, c.GetHeader("Stripe-Signature"), h.webhookSecret)
	if err != nil {
		h.log.WarnContext(c.Request.Context(), "Stripe webhook rejected", "error", err.Error())
		if errors.Is(err, stripeapi.ErrBadSignature) {
			writeError(c, apperr.Validation(apperr.FieldError{Field: "Stripe-Signature", Message: "signature verification failed"}))
			return
		}
		writeError(c, apperr.Validation(apperr.FieldError{Field: "body", Message: "not a Stripe event this service can read"}))
		return
	}
	result, err := h.svc.HandleWebhook(c.Request.Context(), ev)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, webhookResponse{Received: true, Result: string(result)})
}

func writeError(c *gin.Context, err error) { httpserver.WriteError(c, err) }
