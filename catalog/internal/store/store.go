// Package store keeps the catalog's products, reservations and reviews in
// MongoDB (or the embedded FerretDB). Every state change is one
// single-document write, conditional where a race could matter, with the
// events it produces in the same document's outbox (docs/architecture.md
// "Storage rules").
package store

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/listindex"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/platform/timerwheel"
)

// Collection names.
const (
	ProductsCollection     = "products"
	ReservationsCollection = "reservations"
	ExpiriesCollection     = "reservation_expiries"
)

// Store reads and writes the catalog's collections.
type Store struct {
	products     *mongo.Collection // write handle
	reservations *mongo.Collection // write handle
	readProducts *mongo.Collection
	readReserved *mongo.Collection
	writer       *mongodb.Writer // every write by _id, guards included
	expiries     *timerwheel.Wheel
	relay        *outbox.Relay
	// The reviews (reviews.go).
	reviews       *mongo.Collection // write handle
	readReviews   *mongo.Collection
	purchases     *mongo.Collection // write handle
	readPurchases *mongo.Collection
	reviewLists   *listindex.List
}

// New returns a Store on db. Writes go through db.Write, reads through
// db.Read; relay (which may be nil) is told about every write with events.
func New(db *mongodb.Store, relay *outbox.Relay) *Store {
	s := &Store{
		products:     db.Write.Collection(ProductsCollection),
		reservations: db.Write.Collection(ReservationsCollection),
		readProducts: db.Read.Collection(ProductsCollection),
		readReserved: db.Read.Collection(ReservationsCollection),
		writer:       db.Writer,
		expiries:     timerwheel.New(db, ExpiriesCollection, timerwheel.Options{}),
		relay:        relay,

		reviews:       db.Write.Collection(ReviewsCollection),
		readReviews:   db.Read.Collection(ReviewsCollection),
		purchases:     db.Write.Collection(PurchasesCollection),
		readPurchases: db.Read.Collection(PurchasesCollection),
		reviewLists:   listindex.New(db, ReviewListsCollection),
	}
	if relay != nil {
		relay.Watch(s.products, s.reservations)
	}
	return s
}

// EnsureIndexes creates the indexes: SKUs unique per merchant, and the
// expiry sweep's (state, expires_at) for MongoDB.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := mongodb.EnsureIndexes(ctx, s.products, mongo.IndexModel{
		Keys:    bson.D{{Key: "merchant_id", Value: 1}, {Key: "sku", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("merchant_sku_unique"),
	}); err != nil {
		return err
	}
	if err := mongodb.EnsureIndexes(ctx, s.reservations, mongo.IndexModel{
		Keys:    bson.D{{Key: "state", Value: 1}, {Key: "expires_at", Value: 1}},
		Options: options.Index().SetName("state_expires_at"),
	}); err != nil {
		return err
	}
	return s.expiries.Init(ctx, s.backfillExpiries)
}

// wrap translates a driver error with what was being done.
// A missing document is plain apperr.ErrNotFound, without the driver's
// words.
func wrap(err error, format string, args ...any) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), apperr.ErrNotFound)
	}
	return mongodb.Translate(err, fmt.Sprintf(format, args...))
}
