package usecase

import (
	"context"
	"fmt"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// Order returns one of the shopper's orders; anyone else's is ErrNotFound.
func (s *Service) Order(ctx context.Context, shopperID, id string) (domain.Order, error) {
	o, err := s.orders.Get(ctx, id)
	if err != nil {
		return domain.Order{}, err
	}
	if o.ShopperID != shopperID {
		return domain.Order{}, fmt.Errorf("%w: order %s", apperr.ErrNotFound, id)
	}
	return o, nil
}

// Orders lists the shopper's orders, newest first.
func (s *Service) Orders(ctx context.Context, shopperID string, page domain.Page) ([]domain.Order, error) {
	return s.orders.ListByShopper(ctx, shopperID, page)
}

// Cancel cancels one of the shopper's orders (domain.Order.CancelByShopper).
func (s *Service) Cancel(ctx context.Context, shopperID, id string) (domain.Order, error) {
	if _, err := s.Order(ctx, shopperID, id); err != nil {
		return domain.Order{}, err
	}
	return s.apply(ctx, id, func(o domain.Order) (domain.Outcome, error) {
		return o.CancelByShopper(s.now())
	})
}

// MerchantOrders lists the orders with lines of a merchant, newest first.
func (s *Service) MerchantOrders(ctx context.Context, merchantID string, page domain.Page) ([]domain.Order, error) {
	return s.orders.ListByMerchant(ctx, merchantID, page)
}

// Ship marks the merchant's lines of a paid order shipped; an order
// without lines of that merchant is ErrNotFound.
func (s *Service) Ship(ctx context.Context, merchantID, id string) (domain.Order, error) {
	return s.apply(ctx, id, func(o domain.Order) (domain.Outcome, error) {
		return o.Ship(merchantID, s.now())
	})
}
