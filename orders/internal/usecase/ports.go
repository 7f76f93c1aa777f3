package usecase

import (
	"context"
	"errors"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// ErrStale is returned by OrderStore.Update when the order changed since
// it was read; the caller reads it again and decides anew.
var ErrStale = errors.New("order changed concurrently")

// IsStale reports whether err is a lost conditional update (ErrStale).
func IsStale(err error) bool { return errors.Is(err, ErrStale) }

// OrderStore keeps orders and their outbox (*store.Orders is the real one).
type OrderStore interface {
	// Insert stores a new order with its events; an order with the same
	// id is apperr.ErrConflict.
	Insert(ctx context.Context, o domain.Order, events []outbox.Entry) error
	// Get reads one order; a missing one is apperr.ErrNotFound.
	Get(ctx context.Context, id string) (domain.Order, error)
	// Update writes after, with its events, only while the stored order
	// still has before's status and version (then the version is
	// incremented); otherwise it returns ErrStale and changes nothing.
	Update(ctx context.Context, before, after domain.Order, events []outbox.Entry) error
	// ListByShopper lists a shopper's orders, newest first.
	ListByShopper(ctx context.Context, shopperID string, page domain.Page) ([]domain.Order, error)
	// ListByMerchant lists the orders with lines of a merchant, newest first.
	ListByMerchant(ctx context.Context, merchantID string, page domain.Page) ([]domain.Order, error)
	// Due returns up to limit orders whose deadline is at or before now.
	Due(ctx context.Context, now time.Time, limit int) ([]domain.Order, error)
}

// CartStore keeps shoppers' carts (*store.Carts is the real one).
type CartStore interface {
	// Get reads a shopper's cart; a shopper without one has an empty cart.
	Get(ctx context.Context, shopperID string) (domain.Cart, error)
	// PutItem sets one item's quantity, adding the item if needed.
	PutItem(ctx context.Context, shopperID string, item domain.CartItem, now time.Time) error
	// RemoveItem removes one product from the cart.
	RemoveItem(ctx context.Context, shopperID, productID string, now time.Time) error
	// Clear empties the cart.
	Clear(ctx context.Context, shopperID string, now time.Time) error
	// SetCodes replaces the cart's discount codes only while it is still
	// at version and reports whether it did.
	SetCodes(ctx context.Context, shopperID string, version int64, codes []domain.AppliedCode, now time.Time) (bool, error)
	// ClearIfUnchanged empties the cart only while it is still at version
	// and reports whether it did.
	ClearIfUnchanged(ctx context.Context, shopperID string, version int64, now time.Time) (bool, error)
}

// CodeStore keeps merchants' discount codes and their uses
// (*store.Discounts is the real one).
type CodeStore interface {
	// Create stores a new code; an existing one is apperr.ErrConflict.
	Create(ctx context.Context, d domain.Discount) error
	// Update replaces a code's settings, keeping its uses.
	Update(ctx context.Context, d domain.Discount) error
	// Get reads a code; a missing one is apperr.ErrNotFound.
	Get(ctx context.Context, merchantID, code string) (domain.Discount, error)
	// Delete removes a code.
	Delete(ctx context.Context, merchantID, code string) error
	// List reads a page of a merchant's codes, newest first.
	List(ctx context.Context, merchantID, after string, limit int) ([]domain.Discount, error)
	// ShopperUses counts the uses a shopper holds of a code.
	ShopperUses(ctx context.Context, merchantID, code, shopperID string) (int64, error)
	// Claim takes a use of d for an order, idempotently per order; fresh
	// tells that this call took it.
	Claim(ctx context.Context, d domain.Discount, orderID, shopperID string) (fresh bool, err error)
	// Release gives an order's use back, idempotently.
	Release(ctx context.Context, merchantID, code, orderID, shopperID string) error
}

// RateStore keeps merchants' shipping rate tables (*store.Rates is the
// real one).
type RateStore interface {
	// Get reads a merchant's table; none is apperr.ErrNotFound.
	Get(ctx context.Context, merchantID string) (domain.ShippingRates, error)
	// Of reads the tables of several merchants; those without are absent.
	Of(ctx context.Context, merchantIDs []string) (map[string]domain.ShippingRates, error)
	// Put sets a merchant's table.
	Put(ctx context.Context, r domain.ShippingRates) error
	// Delete removes a merchant's table.
	Delete(ctx context.Context, merchantID string) error
}
