// Package testenv gives the payments tests their real parts: the embedded
// FerretDB (started once per test package by embeddedtest), a fresh
// database per test, the Stripe emulator on a free port, and the stripe-go
// adapter pointed at it.
package testenv

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/payments/internal/store"
	"github.com/mercato-shop/mercato/payments/internal/stripeapi"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// RunWithMongo starts the embedded FerretDB, runs the package's tests and
// stops it: call it from TestMain as os.Exit(testenv.RunWithMongo(m)).
func RunWithMongo(m *testing.M) int {
	return embeddedtest.Main(m, embeddedtest.Options{Mongo: true})
}

// DB opens a fresh database (single writer, as in embedded mode) and the
// payments store on it, with its indexes.
func DB(t testing.TB) (*store.Store, *mongodb.Store) {
	t.Helper()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	st := store.New(db, nil)
	if err := st.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, db
}

// Emulator starts a Stripe emulator on a free port, closed with the test.
func Emulator(t testing.TB, opts stripeemu.Options) *stripeemu.Emulator {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	if opts.WebhookRetryMin == 0 {
		opts.WebhookRetryMin = 20 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = Logger(t)
	}
	em, err := stripeemu.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = em.Close() })
	return em
}

// Stripe is the adapter pointed at the emulator with a fast breaker.
func Stripe(t testing.TB, em *stripeemu.Emulator, b breaker.Options) *stripeapi.Client {
	t.Helper()
	return stripeapi.New(stripeapi.Options{APIURL: em.URL(), SecretKey: em.SecretKey(), Timeout: 2 * time.Second, Breaker: b, Logger: Logger(t)})
}

// Logger writes to the test's output (shown for failed tests).
func Logger(t testing.TB) *slog.Logger {
	var w io.Writer = os.Stderr
	if tt, ok := t.(interface{ Output() io.Writer }); ok {
		w = tt.Output()
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// Outbox returns the events waiting in the outbox of an order's payment
// (nothing relays them in these tests), in order.
func Outbox(t testing.TB, db *mongodb.Store, orderID string) []events.Envelope {
	t.Helper()
	var doc struct {
		Outbox []outbox.Entry `bson:"outbox"`
	}
	if err := db.Write.Collection(store.PaymentsCollection).FindOne(context.Background(), bson.M{"_id": orderID}).Decode(&doc); err != nil {
		t.Fatalf("outbox of %s: %v", orderID, err)
	}
	out := make([]events.Envelope, 0, len(doc.Outbox))
	for _, e := range doc.Outbox {
		env, err := events.Parse([]byte(e.Payload))
		if err != nil {
			t.Fatalf("outbox entry of %s: %v", orderID, err)
		}
		if e.Topic != events.TopicPayments || e.Key != orderID {
			t.Fatalf("outbox entry on %s keyed %s, want %s keyed %s", e.Topic, e.Key, events.TopicPayments, orderID)
		}
		out = append(out, env)
	}
	return out
}

// Types lists the types of envs.
func Types(envs []events.Envelope) []string {
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = e.Type
	}
	return out
}

// Eventually polls cond every 10 ms until it holds, or fails the test
// after limit.
func Eventually(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond) // poll interval, not synchronisation
	}
}
