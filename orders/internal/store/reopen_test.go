package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestOpenAgainOnAnExistingDatabase is a service restart: the indexes
// exist already and must be accepted as they are.
func TestOpenAgainOnAnExistingDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := "orders_reopen_" + time.Now().Format("150405000000")
	for i := range 2 {
		db, err := mongodb.Connect(ctx, config.Mongo{MongoURI: embeddedtest.MongoURI(), MongoSingleWriter: true}, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.Open(ctx, db, nil); err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		db.Close(ctx)
	}
}
