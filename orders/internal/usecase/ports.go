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
	// ClearIfUnchanged empties the cart only while it is still at version
	// and reports whether it did.
	ClearIfUnchanged(ctx context.Context, shopperID string, version int64, now time.Time) (bool, error)
}
