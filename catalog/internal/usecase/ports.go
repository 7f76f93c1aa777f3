package usecase

import (
	"context"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// ProductStore keeps products and their stock (*store.Store is the real
// one). Every stock change is one conditional write that reports whether
// its guard held.
type ProductStore interface {
	InsertProduct(ctx context.Context, p domain.Product, entries ...outbox.Entry) error
	OwnedProduct(ctx context.Context, merchantID, id string) (domain.Product, error)
	Product(ctx context.Context, id, orderID string) (domain.Product, int64, error)
	AllProducts(ctx context.Context) ([]domain.Product, error)
	// SaveProduct writes p only while the stored version is prev, else store.ErrStale.
	SaveProduct(ctx context.Context, prev int64, p domain.Product, entries ...outbox.Entry) error
	Hold(ctx context.Context, id, orderID string, qty int64, expiresAt, now time.Time) (domain.Product, bool, error)
	Unhold(ctx context.Context, id, orderID string, qty int64, now time.Time) (domain.Product, bool, error)
	CommitHold(ctx context.Context, id, orderID string, qty int64, now time.Time) (domain.Product, bool, error)
	ForbidHold(ctx context.Context, id, orderID string, now time.Time) (bool, error)
	ReturnSold(ctx context.Context, id, orderID string, qty int64, now time.Time) (domain.Product, bool, error)
	ClearReturnMarker(ctx context.Context, id, orderID string) error
}

// ReservationStore keeps the reservations of orders (*store.Store).
type ReservationStore interface {
	Reservation(ctx context.Context, orderID string) (domain.Reservation, error)
	InsertReservation(ctx context.Context, r domain.Reservation, entries ...outbox.Entry) error
	// Transition moves a reservation from one of from to to, reporting
	// whether it was in one of them.
	Transition(ctx context.Context, orderID string, from []domain.ReservationState, to domain.ReservationState, reason string, now time.Time, entries ...outbox.Entry) (bool, error)
	DueForRelease(ctx context.Context, now time.Time, limit int64) ([]domain.Reservation, error)
}

// SnapshotStore keeps the read model's snapshot (*store.Store).
type SnapshotStore interface {
	SaveSnapshot(ctx context.Context, snap store.Snapshot) error
	// LoadSnapshot returns the latest snapshot, store.ErrNoSnapshot if none.
	LoadSnapshot(ctx context.Context) (store.Snapshot, error)
}

// CatalogStore is everything the catalog use cases keep.
type CatalogStore interface {
	ProductStore
	ReservationStore
	SnapshotStore
}

var _ CatalogStore = (*store.Store)(nil)
