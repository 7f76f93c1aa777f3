package usecase

import (
	"context"
	"fmt"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// entries turns an outcome's events into outbox entries of the order
// topic, keyed by the order id so one order's events stay in order; they
// carry the trace of ctx.
func (s *Service) entries(ctx context.Context, out domain.Outcome) ([]outbox.Entry, error) {
	o := out.Order
	entries := make([]outbox.Entry, 0, len(out.Events))
	for _, e := range out.Events {
		eventType, data := eventData(o, e)
		if eventType == "" {
			return nil, fmt.Errorf("order %s: unknown event kind %q", o.ID, e.Kind)
		}
		entry, err := outbox.NewEvent(ctx, s.opts.Topic, events.SourceOrders, eventType, o.ID, data)
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry)
	}
	return entries, nil
}

// eventData is the contract type and data of one event (platform/events).
func eventData(o domain.Order, e domain.Event) (string, any) {
	switch e.Kind {
	case domain.EventPlaced:
		return events.TypeOrderPlaced, events.OrderPlaced{OrderID: o.ID, ShopperID: o.ShopperID,
			Lines: eventLines(o.Lines), Total: money(o.Total), Charges: eventCharges(o.Charges), PlacedAt: o.CreatedAt}
	case domain.EventPaymentRequested:
		return events.TypeOrderPaymentRequested, events.OrderPaymentRequested{OrderID: o.ID, ShopperID: o.ShopperID,
			Amount: money(o.Total), PaymentMethod: o.PaymentMethod, Attempt: o.PaymentAttempt, Deadline: o.Deadline}
	case domain.EventPaid:
		return events.TypeOrderPaid, events.OrderPaid{OrderID: o.ID, ShopperID: o.ShopperID, Lines: eventLines(o.Lines),
			Total: money(o.Total), Charges: eventCharges(o.Charges), PaymentIntentID: o.PaymentIntentID, PaidAt: o.UpdatedAt,
			ShippingAddress: address(o.ShippingAddress)}
	case domain.EventCancelled:
		return events.TypeOrderCancelled, events.OrderCancelled{OrderID: o.ID, Reason: o.CancelReason,
			Lines: eventLines(o.Lines), WasPaid: e.WasPaid, CancelledAt: o.UpdatedAt}
	case domain.EventShipped:
		return events.TypeOrderShipped, events.OrderShipped{OrderID: o.ID, ShopperID: o.ShopperID, MerchantID: e.MerchantID,
			Lines: eventLines(o.LinesOf(e.MerchantID)), ShippedAt: o.UpdatedAt, Complete: o.Complete()}
	case domain.EventRefundRequested:
		return events.TypeOrderRefundRequested, events.OrderRefundRequested{OrderID: o.ID, Amount: money(e.Amount), Reason: e.Reason}
	case domain.EventRefunded:
		return events.TypeOrderRefunded, events.OrderRefunded{OrderID: o.ID, Amount: money(e.Amount)}
	}
	return "", nil
}

func money(m domain.Money) events.Money { return events.Money{Amount: m.Amount, Currency: m.Currency} }

func address(a domain.Address) events.Address {
	return events.Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region,
		PostalCode: a.PostalCode, Country: a.Country}
}

func eventLines(lines []domain.Line) []events.OrderLine {
	out := make([]events.OrderLine, len(lines))
	for i, l := range lines {
		out[i] = events.OrderLine{ProductID: l.ProductID, MerchantID: l.MerchantID, Name: l.Name,
			UnitPrice: money(l.UnitPrice), Quantity: l.Quantity, VariantOf: l.Variant.Of, VariantOptions: l.Variant.Options}
		if l.Discount.Amount != 0 {
			out[i].Discount = money(l.Discount)
		}
	}
	return out
}

func eventCharges(charges []domain.MerchantCharge) []events.OrderCharge {
	var out []events.OrderCharge
	for _, c := range charges {
		out = append(out, events.OrderCharge{MerchantID: c.MerchantID, Subtotal: money(c.Subtotal), DiscountCode: c.DiscountCode,
			Discount: money(c.Discount), Shipping: money(c.Shipping)})
	}
	return out
}
