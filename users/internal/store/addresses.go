package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

// ErrAddressesChanged is returned by SaveAddresses when the stored address
// book is no longer at the version the change was computed from; it
// matches apperr.ErrConflict.
var ErrAddressesChanged = usecase.ErrAddressesChanged

// SaveAddresses replaces the address book of userID with book and bumps
// its version to prevVersion+1, in one write by _id guarded by
// addresses_version == prevVersion (a missing version counts as 0, for
// accounts made before the address book). A lost race, or a user that
// does not exist, is ErrAddressesChanged: the caller reads again.
func (s *Store) SaveAddresses(ctx context.Context, userID string, book []domain.Address, prevVersion int64, now time.Time) error {
	guard := bson.M{"addresses_version": prevVersion}
	if prevVersion == 0 {
		guard = bson.M{"addresses_version": bson.M{"$in": bson.A{nil, int64(0)}}}
	}
	docs := make([]addressDoc, len(book))
	for i, a := range book {
		docs[i] = addressDoc(a)
	}
	matched, err := s.db.Writer.UpdateOne(ctx, s.Users(), userID, guard, bson.M{"$set": bson.M{
		"addresses": docs, "addresses_version": prevVersion + 1, "updated_at": now.UTC(),
	}}, false)
	if err != nil {
		return mongodb.Translate(err, "save addresses of user "+userID)
	}
	if !matched {
		return ErrAddressesChanged
	}
	return nil
}
