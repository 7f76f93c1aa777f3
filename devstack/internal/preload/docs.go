package preload

import "time"

// The documents below mirror, field for field and tag for tag, the stored
// shapes of the services' stores (orders/internal/store/docs.go,
// catalog/internal/store/docs.go, payments/internal/store/documents.go),
// which this module cannot import. Keep them in step when a store's
// shape changes. The outbox array is left out: past orders have nothing
// left to publish, and the stores omit an empty outbox.

// moneyDoc is money as the orders and catalog stores keep it.
type moneyDoc struct {
	Amount   int64  `bson:"amount"`
	Currency string `bson:"currency"`
}

// addressDoc is an order's shipping address as stored.
type addressDoc struct {
	Name       string `bson:"name"`
	Line1      string `bson:"line1"`
	Line2      string `bson:"line2,omitempty"`
	City       string `bson:"city"`
	Region     string `bson:"region,omitempty"`
	PostalCode string `bson:"postal_code"`
	Country    string `bson:"country"`
}

// orderLineDoc is an order line as stored.
type orderLineDoc struct {
	ProductID  string     `bson:"product_id"`
	MerchantID string     `bson:"merchant_id"`
	Name       string     `bson:"name"`
	UnitPrice  moneyDoc   `bson:"unit_price"`
	Quantity   int64      `bson:"quantity"`
	ShippedAt  *time.Time `bson:"shipped_at,omitempty"`
}

// orderDoc is an order in the orders database's "orders" collection.
type orderDoc struct {
	ID                 string         `bson:"_id"`
	ShopperID          string         `bson:"shopper_id"`
	Status             string         `bson:"status"`
	CancelReason       string         `bson:"cancel_reason,omitempty"`
	Lines              []orderLineDoc `bson:"lines"`
	Total              moneyDoc       `bson:"total"`
	ShippingAddress    addressDoc     `bson:"shipping_address"`
	PaymentMethod      string         `bson:"payment_method"`
	PaymentStatus      string         `bson:"payment_status"`
	PaymentAttempt     int            `bson:"payment_attempt"`
	PaymentIntentID    string         `bson:"payment_intent_id,omitempty"`
	CancelledWhilePaid bool           `bson:"cancelled_while_paid,omitempty"`
	RequestHash        string         `bson:"request_hash"`
	CartVersion        int64          `bson:"cart_version"`
	MerchantIDs        []string       `bson:"merchant_ids"`
	Deadline           *time.Time     `bson:"deadline,omitempty"`
	CreatedAt          time.Time      `bson:"created_at"`
	UpdatedAt          time.Time      `bson:"updated_at"`
	Version            int64          `bson:"version"`
}

// stockDoc is a product's stock counters as stored.
type stockDoc struct {
	Available int64 `bson:"available"`
	Held      int64 `bson:"held"`
	Sold      int64 `bson:"sold"`
}

// holdDoc is one order's hold on a product (never written here: past
// orders hold nothing and their tombstones are long pruned).
type holdDoc struct {
	Qty       int64     `bson:"qty"`
	ExpiresAt time.Time `bson:"expires_at,omitempty"`
	Released  bool      `bson:"released,omitempty"`
	At        time.Time `bson:"at,omitempty"`
}

// productDoc is a product in the catalog database's "products" collection.
type productDoc struct {
	ID          string             `bson:"_id"`
	MerchantID  string             `bson:"merchant_id"`
	SKU         string             `bson:"sku"`
	Name        string             `bson:"name"`
	Description string             `bson:"description"`
	Category    string             `bson:"category"`
	Price       moneyDoc           `bson:"price"`
	Images      []string           `bson:"images"`
	Archived    bool               `bson:"archived"`
	Stock       stockDoc           `bson:"stock"`
	Initial     int64              `bson:"initial"`
	Restocked   int64              `bson:"restocked"`
	Holds       map[string]holdDoc `bson:"holds,omitempty"`
	Returned    map[string]int64   `bson:"returned,omitempty"`
	Version     int64              `bson:"version"`
	CreatedAt   time.Time          `bson:"created_at"`
	UpdatedAt   time.Time          `bson:"updated_at"`
}

// reservationLineDoc is one line of a catalog reservation.
type reservationLineDoc struct {
	ProductID string `bson:"product_id"`
	Quantity  int64  `bson:"quantity"`
}

// rejectedLineDoc is a line the catalog could not reserve.
type rejectedLineDoc struct {
	ProductID string `bson:"product_id"`
	Requested int64  `bson:"requested"`
	Available int64  `bson:"available"`
}

// reservationDoc is an order's reservation in the catalog database's
// "reservations" collection; _id is the order id.
type reservationDoc struct {
	OrderID       string               `bson:"_id"`
	State         string               `bson:"state"`
	Lines         []reservationLineDoc `bson:"lines"`
	Rejected      []rejectedLineDoc    `bson:"rejected,omitempty"`
	ReleaseReason string               `bson:"release_reason,omitempty"`
	ExpiresAt     time.Time            `bson:"expires_at"`
	CreatedAt     time.Time            `bson:"created_at"`
	UpdatedAt     time.Time            `bson:"updated_at"`
}

// refundDoc is a refund of a payment (past orders here have none).
type refundDoc struct {
	Key            string    `bson:"key"`
	Amount         int64     `bson:"amount"`
	Reason         string    `bson:"reason,omitempty"`
	Status         string    `bson:"status"`
	StripeRefundID string    `bson:"stripe_refund_id,omitempty"`
	FailureReason  string    `bson:"failure_reason,omitempty"`
	RequestedAt    time.Time `bson:"requested_at"`
	CompletedAt    time.Time `bson:"completed_at,omitempty"`
}

// retryDoc is a payment's retry bookkeeping.
type retryDoc struct {
	Count     int       `bson:"count"`
	NextAt    time.Time `bson:"next_at,omitempty"`
	LastError string    `bson:"last_error,omitempty"`
	GaveUpAt  time.Time `bson:"gave_up_at,omitempty"`
}

// paymentDoc is a payment in the payments database's "payments"
// collection; _id is the order id.
type paymentDoc struct {
	ID              string      `bson:"_id"`
	ShopperID       string      `bson:"shopper_id"`
	Amount          int64       `bson:"amount"`
	Currency        string      `bson:"currency"`
	PaymentMethod   string      `bson:"payment_method"`
	Attempt         int         `bson:"attempt"`
	Deadline        time.Time   `bson:"deadline,omitempty"`
	Status          string      `bson:"status"`
	IdempotencyKey  string      `bson:"idempotency_key"`
	PaymentIntentID string      `bson:"payment_intent_id,omitempty"`
	DeclineCode     string      `bson:"decline_code,omitempty"`
	FailureCode     string      `bson:"failure_code,omitempty"`
	FailureMessage  string      `bson:"failure_message,omitempty"`
	NextAction      string      `bson:"next_action,omitempty"`
	ClientSecret    string      `bson:"client_secret,omitempty"`
	Refunds         []refundDoc `bson:"refunds"`
	RefundedAmount  int64       `bson:"refunded_amount"`
	Retry           retryDoc    `bson:"retry"`
	Version         int64       `bson:"version"`
	CreatedAt       time.Time   `bson:"created_at"`
	UpdatedAt       time.Time   `bson:"updated_at"`
}
