package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/store"
)

func newUser(t *testing.T, email string) domain.User {
	t.Helper()
	reg, err := domain.ValidateRegistration(domain.RegistrationInput{Email: email, Password: "long enough", Name: "N"})
	if err != nil {
		t.Fatal(err)
	}
	return domain.NewUser(reg, "hash", time.Now())
}

func TestUsersByEmail(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	u := newUser(t, "Someone@Example.com")
	if err := st.InsertUser(ctx, u, nil); err != nil {
		t.Fatal(err)
	}
	got, err := st.FindUserByEmail(ctx, "someone@example.com")
	if err != nil || got.ID != u.ID || got.Email != "someone@example.com" {
		t.Fatalf("by email: %v %+v", err, got)
	}
	if _, err := st.FindUserByEmail(ctx, "nobody@example.com"); !errors.Is(err, store.ErrUserNotFound) {
		t.Fatalf("unknown email: %v", err)
	}
	if err := st.InsertUser(ctx, newUser(t, "SOMEONE@example.com"), nil); !errors.Is(err, store.ErrEmailTaken) || !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("duplicate: %v", err)
	}
}

// TestOrphanedEmailClaim: a registration that died between claiming the
// email and writing the user blocks the address only for ClaimTimeout.
func TestOrphanedEmailClaim(t *testing.T) {
	st, db := newStoreAndDB(t)
	ctx := context.Background()
	claims := db.Write.Collection(store.EmailsCollection)
	fresh := bson.M{"_id": "fresh@example.com", "user_id": "ghost-1", "created_at": time.Now().UTC()}
	stale := bson.M{"_id": "stale@example.com", "user_id": "ghost-2", "created_at": time.Now().UTC().Add(-2 * store.ClaimTimeout)}
	if _, err := claims.InsertMany(ctx, []any{fresh, stale}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FindUserByEmail(ctx, "stale@example.com"); !errors.Is(err, store.ErrUserNotFound) {
		t.Fatalf("login on an orphaned claim: %v, want not found", err)
	}
	if err := st.InsertUser(ctx, newUser(t, "fresh@example.com"), nil); !errors.Is(err, store.ErrEmailTaken) {
		t.Fatalf("claim in flight: %v, want ErrEmailTaken", err)
	}
	u := newUser(t, "stale@example.com")
	if err := st.InsertUser(ctx, u, nil); err != nil {
		t.Fatalf("stale orphaned claim was not taken over: %v", err)
	}
	if got, err := st.FindUserByEmail(ctx, "stale@example.com"); err != nil || got.ID != u.ID {
		t.Fatalf("after take-over: %v %+v", err, got)
	}
}
