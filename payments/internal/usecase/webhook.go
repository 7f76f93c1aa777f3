package usecase

import (
	"context"

	"github.com/mercato-shop/mercato/payments/internal/domain"
)

// WebhookResult tells what a Stripe event did.
type WebhookResult string

// Webhook results.
const (
	// WebhookApplied: the event moved a payment.
	WebhookApplied WebhookResult = "applied"
	// WebhookUnchanged: the payment was already there (the synchronous
	// answer came first, or the event is late).
	WebhookUnchanged WebhookResult = "unchanged"
	// WebhookDuplicate: the event id was processed before.
	WebhookDuplicate WebhookResult = "duplicate"
	// WebhookUnknownPayment: no payment of Mercato's matches the event.
	WebhookUnknownPayment WebhookResult = "unknown_payment"
	// WebhookIgnored: an event type the service does not apply.
	WebhookIgnored WebhookResult = "ignored"
)

// HandleWebhook applies a verified Stripe event once per event id. Events
// go through the same guarded transitions as the synchronous answers, so
// either may come first, twice, or late, and the outcome is the same.
// Events about unknown payments are recorded and ignored (Stripe would
// retry an error answer for days).
//
// The event is applied before its id is recorded, so a crash between the
// two applies it again (a no-op, by the guards), never loses it; and it is
// applied without first asking whether its id was seen: a duplicate, rare,
// costs the payment's read and changes nothing, where the question cost
// every event a store command.
func (s *Service) HandleWebhook(ctx context.Context, ev domain.WebhookEvent) (WebhookResult, error) {
	result, orderID, err := s.applyWebhook(ctx, ev)
	if err != nil {
		return "", err
	}
	first, err := s.store.RecordWebhook(ctx, ev.ID, ev.Type, orderID, string(result))
	if err != nil {
		return "", err
	}
	if !first {
		return WebhookDuplicate, nil
	}
	if result == WebhookUnknownPayment {
		s.log.Warn("Stripe event for no known payment; ignored", "event", ev.ID, "type", ev.Type, "payment_intent", ev.PaymentIntentID, "order_id", ev.OrderID)
	}
	return result, nil
}

func (s *Service) applyWebhook(ctx context.Context, ev domain.WebhookEvent) (WebhookResult, string, error) {
	if ev.Charge == nil && ev.Refunds == nil {
		return WebhookIgnored, ev.OrderID, nil
	}
	orderID := ev.OrderID
	if orderID == "" && ev.PaymentIntentID != "" {
		p, err := s.store.FindByPaymentIntent(ctx, ev.PaymentIntentID)
		if isNotFound(err) {
			return WebhookUnknownPayment, "", nil
		}
		if err != nil {
			return "", "", err
		}
		orderID = p.OrderID
	}
	if orderID == "" {
		return WebhookUnknownPayment, "", nil
	}
	_, changed, err := s.change(ctx, orderID, func(p *domain.Payment) ([]domain.Event, bool) {
		if ev.Charge != nil {
			return p.ApplyCharge(*ev.Charge, s.now())
		}
		return p.ApplyChargeRefunds(ev.PaymentIntentID, ev.Refunds, s.now())
	})
	switch {
	case isNotFound(err):
		return WebhookUnknownPayment, orderID, nil
	case err != nil:
		return "", orderID, err
	case changed:
		s.log.Info("Stripe event applied", "event", ev.ID, "type", ev.Type, "order_id", orderID)
		return WebhookApplied, orderID, nil
	default:
		return WebhookUnchanged, orderID, nil
	}
}
