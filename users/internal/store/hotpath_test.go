package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/users/internal/domain"
)

// TestHotPathIsIndexedLookupsByID runs the store calls of registration,
// login and a refresh-token rotation and checks that each command filters
// by a lone _id, served from an index on the embedded store
// (docs/performance.md); the guarded session save ({_id, generation}) of
// the old code read the whole collection.
func TestHotPathIsIndexedLookupsByID(t *testing.T) {
	st, db := newStoreAndDB(t)
	ctx := context.Background()
	now := time.Now()
	embeddedtest.AssertHotPathIndexed(t, db, func() {
		u := newUser(t, "hot@example.com")
		if err := st.InsertUser(ctx, u, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := st.FindUserByEmail(ctx, "hot@example.com"); err != nil {
			t.Fatal(err)
		}
		sess, raw := domain.NewRefreshSession(u.ID, now, time.Hour)
		if err := st.InsertSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		loaded, err := st.FindSession(ctx, sess.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, _ := domain.ParseRefreshToken(raw)
		use, err := loaded.Use(secret, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveSession(ctx, use.Next, loaded.Generation); err != nil {
			t.Fatal(err)
		}
	})
}
