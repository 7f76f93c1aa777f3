package events

import "time"

// OrderLine is one product line of an order, priced at checkout.
type OrderLine struct {
	ProductID  string `json:"product_id"`
	MerchantID string `json:"merchant_id"`
	Name       string `json:"name"`
	UnitPrice  Money  `json:"unit_price"`
	Quantity   int64  `json:"quantity"`
	// Discount is the line's share of its merchant's discount code
	// (optional: absent without one, and from producers before it).
	Discount Money `json:"discount,omitzero"`
	// VariantOf is set when ProductID is a variant: the id of the product
	// it is a variant of, and VariantOptions its value of each of that
	// product's options, such as {"size": "M"} (issue 18; optional: absent
	// for a product without variants and from producers before them).
	// ProductID stays the stock item the catalog reserves.
	VariantOf      string            `json:"variant_of,omitempty"`
	VariantOptions map[string]string `json:"variant_options,omitempty"`
}

// OrderCharge is one merchant's part of an order: its lines' subtotal, its
// discount code and discount, its shipping. The merchant's part of the
// total is Subtotal − Discount + Shipping.
type OrderCharge struct {
	MerchantID   string `json:"merchant_id"`
	Subtotal     Money  `json:"subtotal"`
	DiscountCode string `json:"discount_code,omitempty"`
	Discount     Money  `json:"discount"`
	Shipping     Money  `json:"shipping"`
}

// OrderPlaced is the data of TypeOrderPlaced: the catalog reserves its lines.
type OrderPlaced struct {
	OrderID   string      `json:"order_id"`
	ShopperID string      `json:"shopper_id"`
	Lines     []OrderLine `json:"lines"`
	// Total is what the shopper pays: the lines less the discounts plus
	// the shipping (Charges; optional: orders placed before them have
	// none, and their total is the sum of the lines).
	Total    Money         `json:"total"`
	Charges  []OrderCharge `json:"charges,omitempty"`
	PlacedAt time.Time     `json:"placed_at"`
}

// OrderPaymentRequested is the data of TypeOrderPaymentRequested: payments
// charges Amount with PaymentMethod, idempotently per order and Attempt.
type OrderPaymentRequested struct {
	OrderID   string `json:"order_id"`
	ShopperID string `json:"shopper_id"`
	Amount    Money  `json:"amount"`
	// PaymentMethod is a Stripe PaymentMethod id such as "pm_card_visa".
	PaymentMethod string `json:"payment_method"`
	// Attempt numbers the payment attempts of the order, from 1.
	Attempt int `json:"attempt"`
	// Deadline is when the order stops waiting for the payment.
	Deadline time.Time `json:"deadline"`
}

// OrderPaid is the data of TypeOrderPaid: the catalog commits the reservation.
type OrderPaid struct {
	OrderID   string      `json:"order_id"`
	ShopperID string      `json:"shopper_id"`
	Lines     []OrderLine `json:"lines"`
	Total     Money       `json:"total"`
	// Charges are each merchant's subtotal, discount and shipping
	// (optional, as in OrderPlaced).
	Charges         []OrderCharge `json:"charges,omitempty"`
	PaymentIntentID string        `json:"payment_intent_id"`
	PaidAt          time.Time     `json:"paid_at"`
	// ShippingAddress is where the order goes (optional: producers before
	// it was added leave it out).
	ShippingAddress Address `json:"shipping_address,omitzero"`
}

// OrderCancelled is the data of TypeOrderCancelled: the catalog releases the
// order's held units, or returns its sold units to stock when WasPaid.
type OrderCancelled struct {
	OrderID string `json:"order_id"`
	// Reason is one of the Cancel* constants.
	Reason string      `json:"reason"`
	Lines  []OrderLine `json:"lines"`
	// WasPaid tells that the order had been paid, so its units were sold
	// (not held) and a refund follows.
	WasPaid     bool      `json:"was_paid"`
	CancelledAt time.Time `json:"cancelled_at"`
}

// OrderShipped is the data of TypeOrderShipped: one merchant shipped its
// lines of the order.
type OrderShipped struct {
	OrderID string `json:"order_id"`
	// ShopperID is who bought the order (optional: producers before it
	// was added leave it out).
	ShopperID  string      `json:"shopper_id,omitempty"`
	MerchantID string      `json:"merchant_id"`
	Lines      []OrderLine `json:"lines"`
	ShippedAt  time.Time   `json:"shipped_at"`
	// Complete tells that every line of the order has now shipped.
	Complete bool `json:"complete"`
}

// OrderRefundRequested is the data of TypeOrderRefundRequested: payments
// refunds Amount of the order's charge.
type OrderRefundRequested struct {
	OrderID string `json:"order_id"`
	Amount  Money  `json:"amount"`
	// Reason is one of the Cancel* constants.
	Reason string `json:"reason"`
}

// OrderRefunded is the data of TypeOrderRefunded.
type OrderRefunded struct {
	OrderID string `json:"order_id"`
	Amount  Money  `json:"amount"`
}
