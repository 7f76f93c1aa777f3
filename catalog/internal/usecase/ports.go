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
	// DeleteVariant removes a variant of parentID that no parent lists.
	DeleteVariant(ctx context.Context, id, parentID string) error
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

// ReviewStore keeps reviews, their lists and the purchase facts that
// make a shopper eligible (*store.Store).
type ReviewStore interface {
	RecordPurchase(ctx context.Context, shopperID, productID, orderID string, shippedAt time.Time) error
	HasPurchase(ctx context.Context, shopperID, productID string) (bool, error)
	// InsertReview stores a pending review; domain.ErrAlreadyReviewed if
	// the shopper reviewed the product already.
	InsertReview(ctx context.Context, r domain.Review) error
	// Review reads a review; domain.ErrReviewNotFound if there is none.
	Review(ctx context.Context, id string) (domain.Review, error)
	// CountReview adds a review's rating to its product once (ok=false
	// when already counted), with entries in the same write.
	CountReview(ctx context.Context, productID, reviewID string, rating int64, now time.Time, entries ...outbox.Entry) (domain.Product, bool, error)
	ListReview(ctx context.Context, productID, id string, at time.Time) error
	FinishReview(ctx context.Context, id string) error
	// SetReply stores a reply unless the review has one (ok=false).
	SetReply(ctx context.Context, id string, reply domain.Reply) (bool, error)
	ReviewPage(ctx context.Context, productID, after string, limit int) ([]domain.Review, error)
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
	ReviewStore
	SnapshotStore
}

var _ CatalogStore = (*store.Store)(nil)
