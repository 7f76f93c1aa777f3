package consumer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/mercato-shop/mercato/orders/internal/catalogclient"
	"github.com/mercato-shop/mercato/orders/internal/consumer"
	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/orders/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Kafka: true, Mongo: true}))
}

// products is a catalog that always answers from a fixed set.
type products map[string]catalogclient.Product

func (p products) Product(_ context.Context, id string) (catalogclient.Product, error) {
	if pr, ok := p[id]; ok {
		return pr, nil
	}
	return catalogclient.Product{}, fmt.Errorf("%w: product %s", apperr.ErrNotFound, id)
}

func (p products) Products(_ context.Context, ids []string) (map[string]catalogclient.Product, error) {
	out := map[string]catalogclient.Product{}
	for _, id := range ids {
		if pr, ok := p[id]; ok {
			out[id] = pr
		}
	}
	return out, nil
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness runs the saga as the service does: the consumer on a catalog and
// a payments topic, the use cases on FerretDB, the outbox relay publishing
// order events to an orders topic. Topics and database are the test's own.
type harness struct {
	t             *testing.T
	svc           *usecase.Service
	orders        *store.Orders
	pub           *kafka.Writer
	clock         *clock
	catalogTopic  string
	paymentsTopic string
	ordersTopic   string
	handled       atomic.Int64
	outbound      *kafkago.Reader
	published     int
}

const stepTimeout = 10 * time.Minute

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, clock: &clock{now: time.Now().UTC()},
		catalogTopic: embeddedtest.Topic(t, 1), paymentsTopic: embeddedtest.Topic(t, 1), ordersTopic: embeddedtest.Topic(t, 1)}
	brokers := embeddedtest.Brokers()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	ctx, cancel := context.WithCancel(context.Background())
	h.pub = kafka.NewWriter(brokers)
	relay := outbox.NewRelay(h.pub, outbox.RelayOptions{SweepInterval: time.Second, Logger: quiet})
	orders, carts, err := store.Open(ctx, db, relay)
	if err != nil {
		t.Fatal(err)
	}
	h.orders = orders
	h.svc = usecase.New(orders, carts, products{
		"mug": {ID: "mug", MerchantID: "m1", Name: "Mug", Price: domain.Money{Amount: 1200, Currency: "EUR"}},
	}, usecase.Options{Topic: h.ordersTopic, Now: h.clock.Now, StepTimeout: stepTimeout, Logger: quiet})

	handlers := consumer.Handlers(h.svc)
	cons := kafka.NewConsumer(kafka.ConsumerConfig{
		Brokers: brokers, GroupID: embeddedtest.UniqueName("group"), Topics: []string{h.catalogTopic, h.paymentsTopic},
		Handler: func(ctx context.Context, msg kafka.Message) error {
			err := handlers.Handle(ctx, msg.Value)
			if err == nil || kafka.IsPermanent(err) {
				h.handled.Add(1)
			}
			return err
		},
		DLQPublisher: h.pub, Logger: quiet, MaxAttempts: 3, InitialBackoff: 10 * time.Millisecond,
	})
	h.outbound = kafkago.NewReader(kafkago.ReaderConfig{Brokers: brokers, Topic: h.ordersTopic, Partition: 0,
		MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond})
	var wg sync.WaitGroup
	wg.Go(func() { relay.Run(ctx) })
	wg.Go(func() { _ = cons.Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		_ = h.outbound.Close()
		_ = h.pub.Close()
	})
	return h
}

// place checks out a cart holding two mugs.
func (h *harness) place(shopper string) domain.Order {
	h.t.Helper()
	ctx := context.Background()
	if err := h.svc.SetCartItem(ctx, shopper, "mug", 2); err != nil {
		h.t.Fatal(err)
	}
	o, err := h.svc.Checkout(ctx, usecase.Shopper{ID: shopper}, "key", domain.CheckoutRequest{PaymentMethod: "pm_card_visa",
		ShippingAddress: domain.Address{Name: "Ada", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}})
	if err != nil {
		h.t.Fatal(err)
	}
	return o
}

// publish sends an event as the catalog or payments would.
func (h *harness) publish(topic, eventType, orderID string, data any) {
	h.t.Helper()
	env, err := events.New("/test", eventType, orderID, data)
	if err != nil {
		h.t.Fatal(err)
	}
	b, err := env.Marshal()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.pub.Publish(context.Background(), kafka.Message{Topic: topic, Key: orderID, Value: b}); err != nil {
		h.t.Fatal(err)
	}
	h.published++
}

// raw sends a message that is not a valid event.
func (h *harness) raw(topic string, value []byte) {
	h.t.Helper()
	if err := h.pub.Publish(context.Background(), kafka.Message{Topic: topic, Key: "x", Value: value}); err != nil {
		h.t.Fatal(err)
	}
	h.published++
}

// settle waits until the consumer has handled everything published so far.
func (h *harness) settle() {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for h.handled.Load() < int64(h.published) {
		if time.Now().After(deadline) {
			h.t.Fatalf("handled %d of %d events", h.handled.Load(), h.published)
		}
		time.Sleep(5 * time.Millisecond) // poll interval
	}
}

// order reads an order as stored.
func (h *harness) order(id string) domain.Order {
	h.t.Helper()
	o, err := h.orders.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return o
}

// expectEvents reads the order topic until the next events are the given
// types, in order, and returns them.
func (h *harness) expectEvents(types ...string) []events.Envelope {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []events.Envelope
	for len(got) < len(types) {
		msg, err := h.outbound.ReadMessage(ctx)
		if err != nil {
			h.t.Fatalf("reading order events (got %v): %v", typesOf(got), err)
		}
		env, err := events.Parse(msg.Value)
		if err != nil {
			h.t.Fatal(err)
		}
		got = append(got, env)
	}
	for i, typ := range types {
		if got[i].Type != typ {
			h.t.Fatalf("order events %v, want %v", typesOf(got), types)
		}
	}
	return got
}

func typesOf(envs []events.Envelope) []string {
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = e.Type
	}
	return out
}

func decodeData[T any](t *testing.T, env events.Envelope) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(env.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
