package consumer_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/mercato-shop/mercato/catalog/internal/consumer"
	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Kafka: true, Mongo: true}))
}

// TestOrderPlacedThroughKafkaIsReserved publishes order.placed (twice) and
// order.paid on orders.events and reads stock.reserved and
// stock.committed back from catalog.events, published by the outbox relay.
// The broker belongs to this test package, so the contract's fixed topic
// names are used.
func TestOrderPlacedThroughKafkaIsReserved(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	brokers := embeddedtest.Brokers()
	if err := kafka.EnsureTopics(ctx, brokers, 3, 1, events.TopicOrders, kafka.DLQ(events.TopicOrders), events.TopicCatalog); err != nil {
		t.Fatal(err)
	}
	db := embeddedtest.Database(t, config.Mongo{})
	writer := kafka.NewWriter(brokers)
	defer writer.Close()
	logger := slog.New(slog.DiscardHandler)
	relay := outbox.NewRelay(writer, outbox.RelayOptions{SweepInterval: time.Second, Logger: logger})
	st := store.New(db, relay)
	svc := usecase.New(usecase.Options{Store: st, Model: readmodel.New(func(domain.Product) []byte { return nil }), Logger: logger})

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() { relay.Run(runCtx); done <- struct{}{} }()
	handlers := consumer.Handlers(svc)
	c := kafka.NewConsumer(kafka.ConsumerConfig{
		Brokers: brokers, GroupID: fmt.Sprintf("catalog-test-%d", time.Now().UnixNano()), Topics: []string{events.TopicOrders},
		Handler:      func(ctx context.Context, msg kafka.Message) error { return handlers.Handle(ctx, msg.Value) },
		DLQPublisher: writer, Logger: logger,
	})
	go func() { _ = c.Run(runCtx); done <- struct{}{} }()
	defer func() { stop(); <-done; <-done }()

	p, err := svc.CreateProduct(ctx, "m1", domain.Draft{SKU: "K1", Name: "Kettle", Category: "kitchen", Price: domain.Money{Amount: 2500, Currency: "USD"}, Stock: 5})
	if err != nil {
		t.Fatal(err)
	}
	orderID := fmt.Sprintf("order-%d", time.Now().UnixNano())
	lines := []events.OrderLine{{ProductID: p.ID, MerchantID: "m1", Name: "Kettle", UnitPrice: events.Money{Amount: 2500, Currency: "USD"}, Quantity: 2}}
	placed := mustEvent(t, events.TypeOrderPlaced, orderID, events.OrderPlaced{OrderID: orderID, ShopperID: "s1", Lines: lines})
	if err := writer.Publish(ctx, placed, placed); err != nil { // a duplicate too
		t.Fatal(err)
	}

	reader := kafkago.NewReader(kafkago.ReaderConfig{Brokers: brokers, GroupID: fmt.Sprintf("reader-%d", time.Now().UnixNano()), GroupTopics: []string{events.TopicCatalog}, StartOffset: kafkago.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer reader.Close()
	// The product's event and the order's are keyed differently, so they
	// sit on different partitions and arrive in either order: read until
	// both came.
	var reserved events.StockReserved
	sawCreated, sawReserved := false, false
	readUntil(ctx, t, reader, func(env events.Envelope) bool {
		if env.Type == events.TypeProductCreated && env.Subject == p.ID {
			sawCreated = true
		}
		if env.Type == events.TypeStockReserved && env.Subject == orderID {
			if err := env.Decode(&reserved); err != nil {
				t.Fatal(err)
			}
			sawReserved = true
		}
		return sawCreated && sawReserved
	})
	if !sawCreated || reserved.OrderID != orderID || len(reserved.Lines) != 1 || reserved.Lines[0].Quantity != 2 || reserved.ExpiresAt.IsZero() {
		t.Fatalf("created seen %v, reserved %+v", sawCreated, reserved)
	}

	paid := mustEvent(t, events.TypeOrderPaid, orderID, events.OrderPaid{OrderID: orderID, Lines: lines})
	if err := writer.Publish(ctx, paid); err != nil {
		t.Fatal(err)
	}
	readUntil(ctx, t, reader, func(env events.Envelope) bool {
		if env.Type == events.TypeStockReserved && env.Subject == orderID {
			t.Fatal("the duplicate order.placed produced a second stock.reserved")
		}
		return env.Type == events.TypeStockCommitted && env.Subject == orderID
	})
	got, _, err := st.Product(ctx, p.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Stock != (domain.Stock{Available: 3, Sold: 2}) {
		t.Fatalf("stock %+v, want 3 available and 2 sold", got.Stock)
	}
}

func mustEvent(t *testing.T, eventType, orderID string, data any) kafka.Message {
	t.Helper()
	env, err := events.New(events.SourceOrders, eventType, orderID, data)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return kafka.Message{Topic: events.TopicOrders, Key: orderID, Value: payload}
}

// readUntil reads catalog events until match returns true or ctx ends.
func readUntil(ctx context.Context, t *testing.T, r *kafkago.Reader, match func(events.Envelope) bool) {
	t.Helper()
	for {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("waiting for a catalog event: %v", err)
		}
		env, err := events.Parse(msg.Value)
		if err != nil {
			t.Fatal(err)
		}
		if match(env) {
			return
		}
	}
}
