package events

// PaymentSucceeded is the data of TypePaymentSucceeded.
type PaymentSucceeded struct {
	OrderID         string `json:"order_id"`
	PaymentIntentID string `json:"payment_intent_id"`
	Amount          Money  `json:"amount"`
	// Attempt is the OrderPaymentRequested.Attempt this payment answers.
	Attempt int `json:"attempt,omitempty"`
}

// PaymentFailed is the data of TypePaymentFailed.
type PaymentFailed struct {
	OrderID         string `json:"order_id"`
	PaymentIntentID string `json:"payment_intent_id"`
	// DeclineCode is Stripe's decline code, such as "insufficient_funds".
	DeclineCode string `json:"decline_code"`
	// Code is Stripe's error code, such as "card_declined" or
	// "expired_card" (empty when Stripe gave none).
	Code string `json:"code,omitempty"`
	// Message is a human-readable reason, safe to show the shopper.
	Message string `json:"message"`
	Amount  Money  `json:"amount"`
	// Attempt is the OrderPaymentRequested.Attempt this payment answers.
	Attempt int `json:"attempt,omitempty"`
}

// PaymentRequiresAction is the data of TypePaymentRequiresAction: the shopper
// must authenticate (3-D Secure) before the payment can complete.
type PaymentRequiresAction struct {
	OrderID         string `json:"order_id"`
	PaymentIntentID string `json:"payment_intent_id"`
	// NextAction is Stripe's next_action type, such as "use_stripe_sdk".
	NextAction string `json:"next_action"`
	// ClientSecret lets Stripe.js in the shopper's browser finish the
	// payment; it is shown to that shopper only and never logged.
	ClientSecret string `json:"client_secret,omitempty"`
	// Attempt is the OrderPaymentRequested.Attempt this payment answers.
	Attempt int `json:"attempt,omitempty"`
}

// PaymentRefunded is the data of TypePaymentRefunded.
type PaymentRefunded struct {
	OrderID  string `json:"order_id"`
	RefundID string `json:"refund_id"`
	Amount   Money  `json:"amount"`
	// Full tells that the whole charge is now refunded.
	Full bool `json:"full"`
}
