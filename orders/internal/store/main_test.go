package store_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/embedded"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

var (
	mongoURI string
	dbCount  atomic.Int64
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "orders-store-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	srv, err := embedded.StartMongo(embedded.MongoOptions{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer srv.Close()
	mongoURI = srv.URI()
	return m.Run()
}

// open returns stores on a fresh database, as the service opens them
// (single writer), and the notifications they sent.
func open(t *testing.T) (*store.Orders, *store.Carts, *notifications) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := mongodb.Connect(ctx, config.Mongo{MongoURI: mongoURI, MongoSingleWriter: true, MongoReadPoolSize: 8},
		fmt.Sprintf("orders_store_%d_%d", time.Now().UnixNano(), dbCount.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	n := &notifications{ids: make(chan any, 100)}
	orders, carts, err := store.Open(ctx, db.Read, db.Write, n)
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
