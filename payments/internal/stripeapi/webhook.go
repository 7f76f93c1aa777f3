package stripeapi

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/mercato-shop/mercato/payments/internal/domain"
)

// ErrBadSignature wraps every webhook verification failure: a missing or
// forged Stripe-Signature, a timestamp outside the 300 s tolerance, or an
// event of another API version than stripe-go v76's.
var ErrBadSignature = errors.New("stripe webhook not verified")

// Webhook event types the service applies.
const (
	EventPaymentIntentSucceeded      = "payment_intent.succeeded"
	EventPaymentIntentPaymentFailed  = "payment_intent.payment_failed"
	EventPaymentIntentRequiresAction = "payment_intent.requires_action"
	EventPaymentIntentCanceled       = "payment_intent.canceled"
	EventChargeRefunded              = "charge.refunded"
)

// ParseWebhook verifies the raw body against the Stripe-Signature header
// with webhook.ConstructEvent (HMAC-SHA256 with the endpoint secret, 300 s
// tolerance, and the API version check: the endpoint must be configured
// with stripe-go v76's API version, whose object shapes the service
// decodes) and reads the event. Unknown types come back with only ID and
// Type set.
func ParseWebhook(payload []byte, sigHeader, secret string) (domain.WebhookEvent, error) {
	ev, err := webhook.ConstructEvent(payload, sigHeader, secret)
	if err != nil {
		webhookVerifyFailures.Inc()
		return domain.WebhookEvent{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	out := domain.WebhookEvent{ID: ev.ID, Type: string(ev.Type)}
	if ev.Data == nil {
		return out, nil
	}
	switch out.Type {
	case EventPaymentIntentSucceeded, EventPaymentIntentPaymentFailed, EventPaymentIntentRequiresAction, EventPaymentIntentCanceled:
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			return out, fmt.Errorf("stripe event %s: decode PaymentIntent: %w", ev.ID, err)
		}
		out.OrderID, out.PaymentIntentID = pi.Metadata[MetaOrderID], pi.ID
		if o, ok := OutcomeOf(&pi, AttemptOf(pi.Metadata)); ok {
			out.Charge = &o
		}
	case EventChargeRefunded:
		var ch stripe.Charge
		if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil {
			return out, fmt.Errorf("stripe event %s: decode Charge: %w", ev.ID, err)
		}
		out.OrderID = ch.Metadata[MetaOrderID]
		if ch.PaymentIntent != nil {
			out.PaymentIntentID = ch.PaymentIntent.ID
		}
		out.Refunds = []domain.StripeRefund{}
		if ch.Refunds != nil {
			for _, re := range ch.Refunds.Data {
				out.Refunds = append(out.Refunds, domain.StripeRefund{ID: re.ID, Amount: re.Amount, Key: re.Metadata[MetaRefundKey],
					Succeeded: re.Status == stripe.RefundStatusSucceeded || re.Status == stripe.RefundStatusPending})
			}
		}
	}
	return out, nil
}
