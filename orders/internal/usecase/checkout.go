package usecase

import (
	"context"
	"errors"
	"fmt"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// Checkout turns a shopper's cart into a pending order, idempotently per
// Idempotency-Key.
//
// The order id derives from the shopper and the key, so the order insert
// is itself the idempotency record: a replay finds the order (and its
// request fingerprint) by _id; two concurrent requests race on one insert,
// the loser reads the winner's order. The same key with another request is
// ErrUnprocessable. Prices come from the catalog, through its breaker; when
// the catalog is unavailable nothing is created (a RetryableError, 503).
// Each merchant's discount code is re-validated and its shipping quoted
// (domain.Price); a code that no longer applies is a 409 with its stable
// code. The codes' uses are claimed before the insert, idempotently per
// order id (a replay or a concurrent request with the key claims nothing
// twice), and given back if the insert fails; a crash between the two
// leaves a use taken that no order holds (the limit errs on the
// merchant's side). The order and its order.placed event are one insert;
// emptying the cart is a separate write after it, conditional on the cart
// being unchanged since the order was made from it. A replay empties it
// again, so a crash between the two writes leaves no full cart behind once
// the client retries.
//
// A request sent without a shipping address ships to the shopper's
// default address, read from users with the shopper's token once the
// request is known not to be a replay (withDefaultAddress); the order's
// fingerprint stays that of the body as sent, so a replay is the same
// order even if the default has changed since.
func (s *Service) Checkout(ctx context.Context, shopper Shopper, key string, req domain.CheckoutRequest) (domain.Order, error) {
	fromBook := s.fromAddressBook(req)
	validate := req.Validate
	if fromBook {
		validate = req.ValidateWithoutAddress
	}
	if err := errors.Join(domain.ValidateIdempotencyKey(key), validate()); err != nil {
		return domain.Order{}, mergeValidation(err)
	}
	shopperID := shopper.ID
	id := domain.OrderID(shopperID, key)
	if o, err := s.replay(ctx, id, req); !isNotFound(err) {
		if err == nil {
			s.emptyCart(ctx, o)
		}
		return o, err
	}
	cart, err := s.carts.Get(ctx, shopperID)
	if err != nil {
		return domain.Order{}, err
	}
	if len(cart.Items) == 0 {
		// A concurrent request with this key may have just emptied it.
		if o, err := s.replay(ctx, id, req); !isNotFound(err) {
			return o, err
		}
		return domain.Order{}, fmt.Errorf("%w: the cart is empty", apperr.ErrConflict)
	}
	if fromBook {
		if req, err = s.withDefaultAddress(ctx, shopper, req); err != nil {
			return domain.Order{}, err
		}
	}
	lines, err := s.priceLines(ctx, cart)
	if err != nil {
		return domain.Order{}, err
	}
	p, err := s.pricing(ctx, shopperID, cart.MerchantIDs(), cart.Codes)
	if err != nil {
		return domain.Order{}, err
	}
	lines, charges := domain.Price(lines, claimsDecideLimits(p))
	now := s.now()
	out, err := domain.NewOrder(id, shopperID, req, lines, charges, now, now.Add(s.opts.StepTimeout))
	if err != nil {
		return domain.Order{}, err
	}
	out.Order.CartVersion = cart.Version
	entries, err := s.entries(ctx, out)
	if err != nil {
		return domain.Order{}, err
	}
	fresh, err := s.claimCodes(ctx, out.Order, p)
	if err != nil {
		return domain.Order{}, err
	}
	if err := s.orders.Insert(ctx, out.Order, entries); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return s.replay(ctx, id, req) // a concurrent request with this key won (its uses are this order's)
		}
		s.releaseClaims(ctx, out.Order, fresh)
		return domain.Order{}, err
	}
	observePlaced()
	s.log.InfoContext(ctx, "order placed", "order_id", id, "lines", len(lines), "total", out.Order.Total.Amount)
	s.emptyCart(ctx, out.Order)
	return out.Order, nil
}

// emptyCart empties the cart o was made from, if it has not changed since
// (items added after the checkout stay). A failure is logged: the order
// stands, and a replay of its key tries again.
func (s *Service) emptyCart(ctx context.Context, o domain.Order) {
	if _, err := s.carts.ClearIfUnchanged(ctx, o.ShopperID, o.CartVersion, s.now()); err != nil {
		s.log.WarnContext(ctx, "emptying the cart after checkout failed", "order_id", o.ID, "error", err)
	}
}

// replay returns the order a key already created, if its request matches.
func (s *Service) replay(ctx context.Context, id string, req domain.CheckoutRequest) (domain.Order, error) {
	o, err := s.orders.Get(ctx, id)
	if err != nil {
		return domain.Order{}, err
	}
	if err := o.SameRequest(req); err != nil {
		return domain.Order{}, err
	}
	return o, nil
}

// priceLines prices the cart's items at the catalog's current prices; a
// variant's line carries its product and options as the catalog gives them.
func (s *Service) priceLines(ctx context.Context, cart domain.Cart) ([]domain.Line, error) {
	ids := make([]string, len(cart.Items))
	for i, it := range cart.Items {
		ids[i] = it.ProductID
	}
	products, err := s.catalog.Products(ctx, ids)
	if err != nil {
		return nil, err
	}
	lines := make([]domain.Line, 0, len(cart.Items))
	for _, it := range cart.Items {
		p, ok := products[it.ProductID]
		if !ok || p.HasVariants { // gone, or it gained variants since it was put (one of them is sold)
			return nil, fmt.Errorf("%w: product %s is no longer available; remove it from the cart", apperr.ErrConflict, it.ProductID)
		}
		lines = append(lines, domain.Line{ProductID: it.ProductID, MerchantID: p.MerchantID, Name: p.Name,
			UnitPrice: p.Price, Quantity: it.Quantity, WeightGrams: p.WeightGrams, Variant: p.Variant})
	}
	return lines, nil
}
