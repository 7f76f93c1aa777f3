package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// open returns stores on a fresh database, as the service opens them
// (single writer), and the notifications they sent.
func open(t *testing.T) (*store.Orders, *store.Carts, *notifications) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 8})
	n := &notifications{ids: make(chan any, 100)}
	orders, carts, err := store.Open(ctx, db, n)
	if err != nil {
		t.Fatal(err)
	}
	return orders, carts, n
}

// notifications records the relay notifications the store sends.
type notifications struct{ ids chan any }

func (n *notifications) Notify(_ *mongo.Collection, id any) {
	select {
	case n.ids <- id:
	default:
	}
}

// Watch is the store telling what the relay must sweep; nothing to record.
func (n *notifications) Watch(...*mongo.Collection) {}

// Written records a notification that carries the document's outbox.
func (n *notifications) Written(coll *mongo.Collection, id any, _ []bson.Raw) { n.Notify(coll, id) }
