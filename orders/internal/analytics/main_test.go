package analytics_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/analytics"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// openDB connects to a fresh database as the service does (single writer).
func openDB(t *testing.T) *mongodb.Store {
	t.Helper()
	return embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 8})
}

// fixture is a model with its event handlers.
type fixture struct {
	model    *analytics.Model
	handlers *events.Handlers
	db       *mongodb.Store
}

func newFixture(t *testing.T, db *mongodb.Store, opts analytics.Options) *fixture {
	t.Helper()
	opts.Read, opts.Write = db.Read, db.Write
	m := analytics.New(opts)
	t.Cleanup(m.Close)
	h := events.NewHandlers(kafka.Permanent)
	m.Register(h)
	return &fixture{model: m, handlers: h, db: db}
}

// handle delivers an event as the consumer would: marshalled, then parsed.
func (f *fixture) handle(t *testing.T, eventType, subject string, data any) []byte {
	t.Helper()
	env, err := events.New(events.SourceOrders, eventType, subject, data)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	f.redeliver(t, payload)
	return payload
}

func (f *fixture) redeliver(t *testing.T, payload []byte) {
	t.Helper()
	if err := f.handlers.Handle(context.Background(), payload); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) summary(t *testing.T, merchant string) analytics.Summary {
	t.Helper()
	s, err := f.model.Summary(context.Background(), merchant)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func usd(amount int64) events.Money { return events.Money{Amount: amount, Currency: "USD"} }

func lineOf(merchant, product string, unit int64, qty int64) events.OrderLine {
	return events.OrderLine{ProductID: product, MerchantID: merchant, Name: "Product " + product, UnitPrice: usd(unit), Quantity: qty}
}

func paid(orderID string, at time.Time, lines ...events.OrderLine) events.OrderPaid {
	var total int64
	for _, l := range lines {
		total += l.UnitPrice.Amount * l.Quantity
	}
	return events.OrderPaid{OrderID: orderID, ShopperID: "shopper-1", Lines: lines, Total: usd(total), PaidAt: at}
}

var orderCount atomic.Int64

// newOrderID is unique per call, so tests never share orders.
func newOrderID() string { return fmt.Sprintf("order-%d-%d", time.Now().UnixNano(), orderCount.Add(1)) }
