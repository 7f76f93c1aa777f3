package usecase

import (
	"context"
	"fmt"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/store"
)

// OrderInfo is the directory's view of an order (store.OrderInfo).
type OrderInfo = store.OrderInfo

// UserRegistered records the user in the directory and welcomes them.
func (s *Service) UserRegistered(ctx context.Context, eventID string, c domain.Contact) error {
	if err := s.st.SaveContact(ctx, c); err != nil {
		return err
	}
	return s.queue(ctx, eventID, c.ID, domain.KindWelcome, nil)
}

// OrderPlaced records the order's shopper, lines and total.
func (s *Service) OrderPlaced(ctx context.Context, o OrderInfo) error { return s.st.SaveOrder(ctx, o) }

// PaymentFailed records the decline message for the order's decline email.
func (s *Service) PaymentFailed(ctx context.Context, orderID, message string) error {
	return s.st.SaveDecline(ctx, orderID, message)
}

// OrderPaid confirms the order to its shopper, tells each merchant of its
// own lines, and queues the merchants' order.paid webhooks.
func (s *Service) OrderPaid(ctx context.Context, eventID string, o OrderInfo) error {
	if err := s.st.SaveOrder(ctx, o); err != nil {
		return err
	}
	if len(o.Address.Lines()) == 0 { // an older producer: use what order.placed told
		if known, err := s.st.Order(ctx, o.ID); err == nil {
			o.Address = known.Address
		}
	}
	err := s.queue(ctx, eventID, o.ShopperID, domain.KindOrderConfirmed, func(n *domain.Notification) {
		n.OrderID, n.Lines, n.Total, n.Address = o.ID, o.Lines, o.Total, o.Address
		n.Discount, n.Shipping = domain.Discounts(o.Lines), domain.Shipping(o.Charges)
	})
	if err != nil {
		return err
	}
	for _, m := range domain.MerchantsOf(o.Lines) {
		lines := domain.LinesOf(o.Lines, m)
		charge := domain.ChargeOf(o.Charges, m)
		err := s.queue(ctx, eventID, domain.MerchantRecipient(m), domain.KindMerchantNewOrder, func(n *domain.Notification) {
			n.OrderID, n.Lines, n.Address = o.ID, lines, o.Address
			n.Discount, n.Shipping = domain.Discounts(lines), charge.Shipping
			n.Total = domain.Sum(lines)
			n.Total.Amount += n.Shipping.Amount - n.Discount.Amount
		})
		if err != nil {
			return err
		}
	}
	return s.webhooks(ctx, eventID, domain.EventOrderPaid, o.ID, o.Lines, "")
}

// cancelReasons are the shopper-facing words of the cancel reasons.
var cancelReasons = map[string]string{
	"out_of_stock":        "an item ran out of stock",
	"reservation_expired": "the payment did not arrive in time",
	"timeout":             "it could not be completed in time",
	"shopper_cancelled":   "you cancelled it",
}

// OrderCancelled tells the shopper (a decline email when the payment was
// declined) and queues the merchants' order.cancelled webhooks.
func (s *Service) OrderCancelled(ctx context.Context, eventID, orderID, reason string, lines []domain.Line) error {
	o, err := s.st.Order(ctx, orderID)
	if err != nil {
		return fmt.Errorf("order %s cancelled before it was placed here: %w", orderID, err)
	}
	kind, why := domain.KindOrderCancelled, cancelReasons[reason]
	if reason == "payment_declined" {
		kind, why = domain.KindPaymentDeclined, o.Decline
		if why == "" {
			why = "your card was declined"
		}
	}
	if len(lines) == 0 {
		lines = o.Lines
	}
	err = s.queue(ctx, eventID, o.ShopperID, kind, func(n *domain.Notification) {
		n.OrderID, n.Lines, n.Total, n.Reason = orderID, lines, o.Total, why
	})
	if err != nil {
		return err
	}
	return s.webhooks(ctx, eventID, domain.EventOrderCancelled, orderID, lines, reason)
}

// OrderShipped tells the shopper which lines shipped and queues the
// merchant's order.shipped webhooks.
func (s *Service) OrderShipped(ctx context.Context, eventID, orderID, merchantID string, lines []domain.Line) error {
	o, err := s.st.Order(ctx, orderID)
	if err != nil {
		return fmt.Errorf("order %s shipped before it was placed here: %w", orderID, err)
	}
	err = s.queue(ctx, eventID, o.ShopperID, domain.KindOrderShipped, func(n *domain.Notification) {
		n.OrderID, n.Lines, n.Total, n.Address = orderID, lines, domain.Sum(lines), o.Address
	})
	if err != nil {
		return err
	}
	return s.webhooks(ctx, eventID, domain.EventOrderShipped, orderID, domain.LinesOf(lines, merchantID), "")
}

// OrderRefunded tells the shopper of the refund and queues the merchants'
// order.refunded webhooks.
func (s *Service) OrderRefunded(ctx context.Context, eventID, orderID string, amount domain.Money) error {
	o, err := s.st.Order(ctx, orderID)
	if err != nil {
		return fmt.Errorf("order %s refunded before it was placed here: %w", orderID, err)
	}
	err = s.queue(ctx, eventID, o.ShopperID, domain.KindOrderRefunded, func(n *domain.Notification) {
		n.OrderID, n.Lines, n.Total = orderID, o.Lines, amount
	})
	if err != nil {
		return err
	}
	return s.webhooks(ctx, eventID, domain.EventOrderRefunded, orderID, o.Lines, "")
}
