// Package consumer turns users.events, orders.events and payments.events
// into notifications use cases. Other event types are ignored. Every
// handler is idempotent: notifications and deliveries have deterministic
// ids, and the directory writes set the same values again.
package consumer

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/usecase"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
)

// Topics are the topics the service consumes.
var Topics = []string{events.TopicUsers, events.TopicOrders, events.TopicPayments}

// Handlers returns the dispatcher of the consumed topics for app.ConsumeEvents.
func Handlers(svc *usecase.Service) *events.Handlers {
	h := events.NewHandlers(kafka.Permanent)
	events.On(h, events.TypeUserRegistered, func(ctx context.Context, env events.Envelope, d events.UserRegistered) error {
		if d.UserID == "" || d.Email == "" {
			return kafka.Permanent(errors.New("user.registered without user_id or email"))
		}
		return svc.UserRegistered(ctx, env.ID, domain.Contact{ID: d.UserID, Email: d.Email, Name: d.Name,
			MerchantID: d.MerchantID, StoreName: d.StoreName})
	})
	events.On(h, events.TypeOrderPlaced, func(ctx context.Context, _ events.Envelope, d events.OrderPlaced) error {
		if d.OrderID == "" {
			return kafka.Permanent(errors.New("order.placed without order_id"))
		}
		return svc.OrderPlaced(ctx, usecase.OrderInfo{ID: d.OrderID, ShopperID: d.ShopperID, Lines: lines(d.Lines), Total: money(d.Total)})
	})
	events.On(h, events.TypeOrderPaid, func(ctx context.Context, env events.Envelope, d events.OrderPaid) error {
		if d.OrderID == "" || d.ShopperID == "" {
			return kafka.Permanent(errors.New("order.paid without order_id or shopper_id"))
		}
		return svc.OrderPaid(ctx, env.ID, usecase.OrderInfo{ID: d.OrderID, ShopperID: d.ShopperID, Lines: lines(d.Lines),
			Total: money(d.Total), Address: address(d.ShippingAddress), Charges: charges(d.Charges)})
	})
	events.On(h, events.TypeOrderCancelled, func(ctx context.Context, env events.Envelope, d events.OrderCancelled) error {
		return svc.OrderCancelled(ctx, env.ID, d.OrderID, d.Reason, lines(d.Lines))
	})
	events.On(h, events.TypeOrderShipped, func(ctx context.Context, env events.Envelope, d events.OrderShipped) error {
		return svc.OrderShipped(ctx, env.ID, d.OrderID, d.MerchantID, lines(d.Lines))
	})
	events.On(h, events.TypeOrderRefunded, func(ctx context.Context, env events.Envelope, d events.OrderRefunded) error {
		return svc.OrderRefunded(ctx, env.ID, d.OrderID, money(d.Amount))
	})
	events.On(h, events.TypePaymentFailed, func(ctx context.Context, _ events.Envelope, d events.PaymentFailed) error {
		if d.OrderID == "" {
			return nil
		}
		return svc.PaymentFailed(ctx, d.OrderID, d.Message)
	})
	return h
}

func money(m events.Money) domain.Money { return domain.Money{Amount: m.Amount, Currency: m.Currency} }

func lines(in []events.OrderLine) []domain.Line {
	out := make([]domain.Line, len(in))
	for i, l := range in {
		out[i] = domain.Line{ProductID: l.ProductID, MerchantID: l.MerchantID, Name: l.Name, UnitPrice: money(l.UnitPrice),
			Quantity: l.Quantity, Discount: money(l.Discount), Options: options(l.VariantOptions)}
	}
	return out
}

// options are a variant's option values ordered by name (nil for none).
func options(values map[string]string) []domain.Option {
	var out []domain.Option
	for _, name := range slices.Sorted(maps.Keys(values)) {
		out = append(out, domain.Option{Name: name, Value: values[name]})
	}
	return out
}

func charges(in []events.OrderCharge) []domain.Charge {
	out := make([]domain.Charge, len(in))
	for i, c := range in {
		out[i] = domain.Charge{MerchantID: c.MerchantID, Discount: money(c.Discount), Shipping: money(c.Shipping)}
	}
	return out
}

func address(a events.Address) domain.Address {
	return domain.Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region,
		PostalCode: a.PostalCode, Country: a.Country}
}
