package domain

// WebhookEvent is a verified Stripe event in domain terms.
type WebhookEvent struct {
	ID   string
	Type string
	// OrderID is the order_id metadata of the event's object ("" when
	// absent).
	OrderID         string
	PaymentIntentID string
	// Charge is set for a PaymentIntent event that settles a charge.
	Charge *ChargeOutcome
	// Refunds is set (possibly empty) for charge.refunded.
	Refunds []StripeRefund
}
