package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/store"
)

func savedAddress(id string, isDefault bool) domain.Address {
	return domain.Address{ID: id, Default: isDefault, Name: "Ada", Line1: "1 Way", City: "London", PostalCode: "N1", Country: "GB"}
}

// TestSaveAddressesIsGuardedByVersion: two changes computed from one read
// cannot both be saved, and the saved book reads back as written.
func TestSaveAddressesIsGuardedByVersion(t *testing.T) {
	st, db := newStoreAndDB(t)
	ctx := context.Background()
	u := newUser(t, "book@example.com")
	if err := st.InsertUser(ctx, u, nil); err != nil {
		t.Fatal(err)
	}
	// An account made before the address book has no version field.
	if _, err := db.Write.Collection(store.UsersCollection).UpdateOne(ctx, bson.M{"_id": u.ID},
		bson.M{"$unset": bson.M{"addresses_version": ""}}); err != nil {
		t.Fatal(err)
	}
	loaded, err := st.FindUserByID(ctx, u.ID)
	if err != nil || loaded.AddressesVersion != 0 || len(loaded.Addresses) != 0 {
		t.Fatalf("find: %v %+v", err, loaded)
	}
	first := []domain.Address{savedAddress("a1", true)}
	second := []domain.Address{savedAddress("a2", true)}
	embeddedtest.AssertHotPathIndexed(t, db, func() {
		if err := st.SaveAddresses(ctx, u.ID, first, 0, time.Now()); err != nil {
			t.Fatalf("first save: %v", err)
		}
	})
	err = st.SaveAddresses(ctx, u.ID, second, 0, time.Now())
	if !errors.Is(err, store.ErrAddressesChanged) || !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("save from a stale version: %v, want ErrAddressesChanged", err)
	}
	got, err := st.FindUserByID(ctx, u.ID)
	if err != nil || got.AddressesVersion != 1 || len(got.Addresses) != 1 || got.Addresses[0] != first[0] {
		t.Fatalf("stored %v %+v, want the first save at version 1", err, got)
	}
	if err := st.SaveAddresses(ctx, u.ID, nil, 1, time.Now()); err != nil {
		t.Fatalf("save at version 1: %v", err)
	}
	if got, _ := st.FindUserByID(ctx, u.ID); got.AddressesVersion != 2 || len(got.Addresses) != 0 || got.Addresses == nil {
		t.Fatalf("emptied book: %+v", got)
	}
	if err := st.SaveAddresses(ctx, "no-such-user", first, 0, time.Now()); !errors.Is(err, store.ErrAddressesChanged) {
		t.Fatalf("unknown user: %v", err)
	}
}
