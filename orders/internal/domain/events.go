package domain

// EventKind names an event an order transition produces; the app layer
// turns it into the matching mercato.order.*.v1 event.
type EventKind string

// Events an order produces.
const (
	EventPlaced           EventKind = "placed"
	EventPaymentRequested EventKind = "payment_requested"
	EventPaid             EventKind = "paid"
	EventCancelled        EventKind = "cancelled"
	EventShipped          EventKind = "shipped"
	EventRefundRequested  EventKind = "refund_requested"
	EventRefunded         EventKind = "refunded"
)

// Event is one event of a transition. Most events are fully described by
// the order after the transition; the fields carry what is not.
type Event struct {
	Kind EventKind
	// WasPaid (cancelled): the order's units were sold, not held.
	WasPaid bool
	// MerchantID (shipped): the merchant that shipped its lines.
	MerchantID string
	// Amount (refund_requested, refunded): the money concerned.
	Amount Money
	// Reason (refund_requested): why the money goes back.
	Reason string
}

// Outcome is the result of applying something to an order: the new order
// and its events when Changed, or nothing to write when not (a duplicate,
// late or irrelevant event).
type Outcome struct {
	Order   Order
	Events  []Event
	Changed bool
}

// unchanged is the outcome of a no-op.
func unchanged(o Order) Outcome { return Outcome{Order: o} }

// changed is the outcome of a transition.
func changed(o Order, events ...Event) Outcome {
	return Outcome{Order: o, Events: events, Changed: true}
}
