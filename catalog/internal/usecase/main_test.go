package usecase_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a catalog on its own database.
type env struct {
	svc   *usecase.Service
	store *store.Store
	model *readmodel.Model
	db    *mongodb.Store
	clock *clock
}

const holdTTL = 15 * time.Minute

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 8})
	st := store.New(db, nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	model := readmodel.New(func(p domain.Product) []byte { return []byte(`"` + p.ID + `"`) })
	clk := &clock{now: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	svc := usecase.New(usecase.Options{Store: st, Model: model, HoldTTL: holdTTL, Now: clk.Now})
	return &env{svc: svc, store: st, model: model, db: db, clock: clk}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// create makes a product of merchant m1 with stock units.
func (e *env) create(t *testing.T, sku string, stock int64) domain.Product {
	t.Helper()
	p, err := e.svc.CreateProduct(ctxT(t), "m1", domain.Draft{SKU: sku, Name: "Product " + sku, Category: "things", Price: domain.Money{Amount: 100, Currency: "USD"}, Stock: stock})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// product reads a product from the store and checks that the read model
// agrees and the invariant holds.
func (e *env) product(t *testing.T, id string) domain.Product {
	t.Helper()
	p, _, err := e.store.Product(ctxT(t), id, "")
	if err != nil {
		t.Fatal(err)
	}
	if !p.InvariantHolds() {
		t.Fatalf("invariant broken: %+v (initial %d, restocked %d)", p.Stock, p.Initial, p.Restocked)
	}
	if m, ok := e.model.Get(id); !ok || m.Stock != p.Stock || m.Version != p.Version {
		t.Fatalf("read model %+v v%d, store %+v v%d", m.Stock, m.Version, p.Stock, p.Version)
	}
	return p
}

func (e *env) reservation(t *testing.T, orderID string) domain.Reservation {
	t.Helper()
	r, err := e.store.Reservation(ctxT(t), orderID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// outboxTypes lists the event types waiting in a document's outbox.
func (e *env) outboxTypes(t *testing.T, collection, id string) []string {
	t.Helper()
	var doc struct {
		Outbox []struct {
			Payload string `bson:"payload"`
		} `bson:"outbox"`
	}
	if err := e.db.Read.Collection(collection).FindOne(ctxT(t), bson.M{"_id": id}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, entry := range doc.Outbox {
		env, err := events.Parse([]byte(entry.Payload))
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, env.Type)
	}
	return types
}

// outboxEvent decodes the single event of a reservation's outbox.
func (e *env) outboxEvent(t *testing.T, orderID string, data any) string {
	t.Helper()
	var doc struct {
		Outbox []struct {
			Payload string `bson:"payload"`
		} `bson:"outbox"`
	}
	if err := e.db.Read.Collection(store.ReservationsCollection).FindOne(ctxT(t), bson.M{"_id": orderID}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	last := doc.Outbox[len(doc.Outbox)-1]
	env, err := events.Parse([]byte(last.Payload))
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Decode(data); err != nil {
		t.Fatal(err)
	}
	return env.Type
}
