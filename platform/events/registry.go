package events

import "sort"

// registry maps every known event type to a constructor of its data.
var registry = map[string]func() any{
	TypeUserRegistered: func() any { return new(UserRegistered) },

	TypeProductCreated:  func() any { return new(Product) },
	TypeProductUpdated:  func() any { return new(Product) },
	TypeProductArchived: func() any { return new(Product) },
	TypeStockReserved:   func() any { return new(StockReserved) },
	TypeStockRejected:   func() any { return new(StockRejected) },
	TypeStockReleased:   func() any { return new(StockReleased) },
	TypeStockCommitted:  func() any { return new(StockCommitted) },
	TypeStockReturned:   func() any { return new(StockReturned) },

	TypeOrderPlaced:           func() any { return new(OrderPlaced) },
	TypeOrderPaymentRequested: func() any { return new(OrderPaymentRequested) },
	TypeOrderPaid:             func() any { return new(OrderPaid) },
	TypeOrderCancelled:        func() any { return new(OrderCancelled) },
	TypeOrderShipped:          func() any { return new(OrderShipped) },
	TypeOrderRefundRequested:  func() any { return new(OrderRefundRequested) },
	TypeOrderRefunded:         func() any { return new(OrderRefunded) },

	TypePaymentSucceeded:      func() any { return new(PaymentSucceeded) },
	TypePaymentFailed:         func() any { return new(PaymentFailed) },
	TypePaymentRequiresAction: func() any { return new(PaymentRequiresAction) },
	TypePaymentRefunded:       func() any { return new(PaymentRefunded) },
}

// NewData returns a pointer to a new zero value of eventType's data type, and
// false for a type this version of Mercato does not know (consumers ignore
// those).
func NewData(eventType string) (any, bool) {
	newData, ok := registry[eventType]
	if !ok {
		return nil, false
	}
	return newData(), true
}

// Types lists every known event type, sorted.
func Types() []string {
	types := make([]string, 0, len(registry))
	for t := range registry {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}
