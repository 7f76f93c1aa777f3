package domain

// EventKind says what happened to a payment.
type EventKind int

// The kinds of payment events.
const (
	EventSucceeded EventKind = iota + 1
	EventFailed
	EventRequiresAction
	EventRefunded
)

// Event is what a transition tells the rest of the shop. The domain knows
// no event contract: the use cases publish it as the matching
// platform/events type, with the payment's order, amount and attempt.
type Event struct {
	Kind            EventKind
	PaymentIntentID string
	// DeclineCode, Code and Message explain a failure (EventFailed).
	DeclineCode, Code, Message string
	// NextAction and ClientSecret let the shopper authenticate
	// (EventRequiresAction).
	NextAction, ClientSecret string
	// RefundID and Amount (minor units) are one settled refund; Full says
	// the payment is now refunded in full (EventRefunded).
	RefundID string
	Amount   int64
	Full     bool
}
