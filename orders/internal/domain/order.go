// Package domain holds the orders service's entities and rules: carts,
// orders, and the checkout saga's state machine. It knows nothing of HTTP,
// MongoDB or Kafka: a transition returns the new order and the events it
// produces, and the store writes both in one conditional update.
package domain

import "time"

// Money is an amount in integer minor units and an ISO 4217 currency code.
type Money struct {
	Amount   int64
	Currency string
}

// Status is an order's place in its lifecycle.
type Status string

// Order statuses (docs/api.md).
const (
	StatusPending         Status = "pending"
	StatusAwaitingPayment Status = "awaiting_payment"
	StatusPaid            Status = "paid"
	StatusShipped         Status = "shipped"
	StatusCancelled       Status = "cancelled"
	StatusRefunded        Status = "refunded"
)

// Waiting reports whether the order waits for another service (and so has
// a deadline).
func (s Status) Waiting() bool { return s == StatusPending || s == StatusAwaitingPayment }

// Cancel reasons (docs/api.md).
const (
	ReasonOutOfStock         = "out_of_stock"
	ReasonPaymentDeclined    = "payment_declined"
	ReasonReservationExpired = "reservation_expired"
	ReasonTimeout            = "timeout"
	ReasonShopperCancelled   = "shopper_cancelled"
)

// PaymentStatus is where the order's money stands.
type PaymentStatus string

// Payment statuses.
const (
	// PaymentNotStarted: no charge requested yet.
	PaymentNotStarted PaymentStatus = "not_started"
	// PaymentPending: a charge was requested and has not answered.
	PaymentPending PaymentStatus = "pending"
	// PaymentRequiresAction: the shopper must authenticate the charge.
	PaymentRequiresAction PaymentStatus = "requires_action"
	// PaymentSucceeded: the shopper was charged.
	PaymentSucceeded PaymentStatus = "succeeded"
	// PaymentFailed: the charge was declined.
	PaymentFailed PaymentStatus = "failed"
	// PaymentRefundPending: a refund was requested.
	PaymentRefundPending PaymentStatus = "refund_pending"
	// PaymentRefunded: the charge was refunded.
	PaymentRefunded PaymentStatus = "refunded"
)

// charged reports whether money was taken (or is being given back), so a
// further successful payment would be a second charge.
func (p PaymentStatus) charged() bool {
	return p == PaymentSucceeded || p == PaymentRefundPending || p == PaymentRefunded
}

// Address is a shipping address.
type Address struct {
	Name       string
	Line1      string
	Line2      string
	City       string
	Region     string
	PostalCode string
	Country    string
}

// Line is one product of an order, priced at checkout.
type Line struct {
	ProductID  string
	MerchantID string
	Name       string
	UnitPrice  Money
	Quantity   int64
	// Discount is the line's share of its merchant's code (see Price).
	Discount Money
	// WeightGrams is one unit's weight as the catalog gave it (0: unknown).
	WeightGrams int64
	// Variant is the product and options of a line whose ProductID is a
	// variant (zero otherwise). ProductID stays the stock item the catalog
	// reserves; Name is the product's name.
	Variant Variant
	// ShippedAt is when the line's merchant shipped it; zero before.
	ShippedAt time.Time
}

// Order is a shopper's order and the state of its checkout saga.
type Order struct {
	ID        string
	ShopperID string
	Status    Status
	// CancelReason is one of the Reason* constants once cancelled.
	CancelReason string
	Lines        []Line
	// Charges are each merchant's subtotal, discount and shipping; orders
	// placed before discounts and shipping rates have none.
	Charges []MerchantCharge
	// Total is what the shopper pays: the lines, less the discounts, plus
	// the shipping.
	Total           Money
	ShippingAddress Address
	// PaymentMethod is the Stripe PaymentMethod id given at checkout.
	PaymentMethod string
	PaymentStatus PaymentStatus
	// PaymentAttempt numbers the charge requests, from 1; 0 before any.
	PaymentAttempt int
	// PaymentIntentID is the successful charge.
	PaymentIntentID string
	// RequestHash identifies the checkout request that created the order,
	// so a replay of its Idempotency-Key with another body is refused.
	RequestHash string
	// CartVersion is the version of the cart the order was made from; the
	// cart is emptied only while it is still at that version, also when a
	// replay finishes a checkout cut short before it emptied the cart.
	CartVersion int64
	// CancelledWhilePaid tells that the order was paid when it was
	// cancelled: its units were sold and its refund ends it as refunded.
	CancelledWhilePaid bool
	// Deadline is when a waiting order is cancelled; zero otherwise.
	Deadline  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version grows with every change; updates are conditional on it.
	Version int64
}

// MerchantIDs lists the merchants with lines in the order, each once.
func (o Order) MerchantIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, l := range o.Lines {
		if !seen[l.MerchantID] {
			seen[l.MerchantID] = true
			ids = append(ids, l.MerchantID)
		}
	}
	return ids
}

// LinesOf returns the lines of one merchant.
func (o Order) LinesOf(merchantID string) []Line {
	var lines []Line
	for _, l := range o.Lines {
		if l.MerchantID == merchantID {
			lines = append(lines, l)
		}
	}
	return lines
}

// ChargeOf returns merchantID's charge, if the order has one.
func (o Order) ChargeOf(merchantID string) (MerchantCharge, bool) {
	for _, c := range o.Charges {
		if c.MerchantID == merchantID {
			return c, true
		}
	}
	return MerchantCharge{}, false
}

// Codes lists the discount codes the order uses, by merchant id.
func (o Order) Codes() map[string]string {
	codes := map[string]string{}
	for _, c := range o.Charges {
		if c.DiscountCode != "" && c.Discount.Amount > 0 {
			codes[c.MerchantID] = c.DiscountCode
		}
	}
	return codes
}

// Total adds up charges; all share one currency.
func Total(charges []MerchantCharge) Money {
	var total Money
	for _, c := range charges {
		t := c.Total()
		total.Amount += t.Amount
		total.Currency = t.Currency
	}
	return total
}

// Sum totals lines; all lines share one currency (checkout ensures it).
func Sum(lines []Line) Money {
	var total Money
	for _, l := range lines {
		total.Amount += l.UnitPrice.Amount * l.Quantity
		total.Currency = l.UnitPrice.Currency
	}
	return total
}
