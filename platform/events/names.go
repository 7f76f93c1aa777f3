package events

// Topics: one per producing service (docs/events.md).
const (
	// TopicUsers carries the users service's events.
	TopicUsers = "users.events"
	// TopicCatalog carries the catalog service's events (products and stock).
	TopicCatalog = "catalog.events"
	// TopicOrders carries the orders service's events.
	TopicOrders = "orders.events"
	// TopicPayments carries the payments service's events.
	TopicPayments = "payments.events"
)

// Sources: the CloudEvents source attribute of each producing service.
const (
	// SourceUsers is the source of user events.
	SourceUsers = "/users"
	// SourceCatalog is the source of product and stock events.
	SourceCatalog = "/catalog"
	// SourceOrders is the source of order events.
	SourceOrders = "/orders"
	// SourcePayments is the source of payment events.
	SourcePayments = "/payments"
)

// HeaderTraceParent is the Kafka header that carries the W3C trace context.
const HeaderTraceParent = "traceparent"

// Event types, versioned by their .vN suffix. A consumer ignores types it
// does not know.
const (
	// TypeUserRegistered: a user signed up (data UserRegistered).
	TypeUserRegistered = "mercato.user.registered.v1"

	// TypeProductCreated: a merchant created a product (data Product).
	TypeProductCreated = "mercato.product.created.v1"
	// TypeProductUpdated: a product's details or stock changed (data Product).
	TypeProductUpdated = "mercato.product.updated.v1"
	// TypeProductArchived: a product was archived (data Product).
	TypeProductArchived = "mercato.product.archived.v1"

	// TypeStockReserved: every line of an order is held (data StockReserved).
	TypeStockReserved = "mercato.stock.reserved.v1"
	// TypeStockRejected: an order could not be reserved; nothing is held
	// (data StockRejected).
	TypeStockRejected = "mercato.stock.rejected.v1"
	// TypeStockReleased: an order's held units returned to stock
	// (data StockReleased).
	TypeStockReleased = "mercato.stock.released.v1"
	// TypeStockCommitted: an order's held units became sold
	// (data StockCommitted).
	TypeStockCommitted = "mercato.stock.committed.v1"
	// TypeStockReturned: a refunded order's sold units are available again
	// (data StockReturned).
	TypeStockReturned = "mercato.stock.returned.v1"

	// TypeOrderPlaced: a shopper checked out (data OrderPlaced).
	TypeOrderPlaced = "mercato.order.placed.v1"
	// TypeOrderPaymentRequested: orders asks payments to charge
	// (data OrderPaymentRequested).
	TypeOrderPaymentRequested = "mercato.order.payment_requested.v1"
	// TypeOrderPaid: an order is paid (data OrderPaid).
	TypeOrderPaid = "mercato.order.paid.v1"
	// TypeOrderCancelled: an order is cancelled (data OrderCancelled).
	TypeOrderCancelled = "mercato.order.cancelled.v1"
	// TypeOrderShipped: a merchant shipped its lines (data OrderShipped).
	TypeOrderShipped = "mercato.order.shipped.v1"
	// TypeOrderRefundRequested: orders asks payments to refund
	// (data OrderRefundRequested).
	TypeOrderRefundRequested = "mercato.order.refund_requested.v1"
	// TypeOrderRefunded: an order's refund completed (data OrderRefunded).
	TypeOrderRefunded = "mercato.order.refunded.v1"

	// TypePaymentSucceeded: a charge succeeded (data PaymentSucceeded).
	TypePaymentSucceeded = "mercato.payment.succeeded.v1"
	// TypePaymentFailed: a charge was declined or failed (data PaymentFailed).
	TypePaymentFailed = "mercato.payment.failed.v1"
	// TypePaymentRequiresAction: a charge needs shopper authentication
	// (data PaymentRequiresAction).
	TypePaymentRequiresAction = "mercato.payment.requires_action.v1"
	// TypePaymentRefunded: a refund succeeded (data PaymentRefunded).
	TypePaymentRefunded = "mercato.payment.refunded.v1"
)

// Cancel reasons of an order (OrderCancelled.Reason and the order's
// cancel_reason in the public API).
const (
	// CancelOutOfStock: the catalog rejected the reservation.
	CancelOutOfStock = "out_of_stock"
	// CancelPaymentDeclined: the payment failed.
	CancelPaymentDeclined = "payment_declined"
	// CancelReservationExpired: the stock hold expired before payment.
	CancelReservationExpired = "reservation_expired"
	// CancelTimeout: a saga step waited too long.
	CancelTimeout = "timeout"
	// CancelShopperCancelled: the shopper cancelled the order.
	CancelShopperCancelled = "shopper_cancelled"
)

// Release reasons of StockReleased.Reason.
const (
	// ReleaseExpired: the hold expired.
	ReleaseExpired = "expired"
	// ReleaseCancelled: the order was cancelled.
	ReleaseCancelled = "cancelled"
)
