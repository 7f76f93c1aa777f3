package consumer_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/consumer"
	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestOrderShippedThroughKafkaMakesTheShopperEligible publishes
// order.shipped (twice: a redelivery) on orders.events and waits until the
// shopper may review the product: then the review is accepted once.
func TestOrderShippedThroughKafkaMakesTheShopperEligible(t *testing.T) {
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
	st := store.New(db, nil)
	svc := usecase.New(usecase.Options{Store: st, Model: readmodel.New(func(domain.Product) []byte { return nil }), Logger: logger})

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	handlers := consumer.Handlers(svc)
	c := kafka.NewConsumer(kafka.ConsumerConfig{
		Brokers: brokers, GroupID: fmt.Sprintf("catalog-shipped-test-%d", time.Now().UnixNano()), Topics: []string{events.TopicOrders},
		Handler:      func(ctx context.Context, msg kafka.Message) error { return handlers.Handle(ctx, msg.Value) },
		DLQPublisher: writer, Logger: logger,
	})
	go func() { _ = c.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()

	p, err := svc.CreateProduct(ctx, "m1", domain.Draft{SKU: "K1", Name: "Kettle", Category: "kitchen", Price: domain.Money{Amount: 2500, Currency: "USD"}, Stock: 5})
	if err != nil {
		t.Fatal(err)
	}
	shopper := fmt.Sprintf("shopper-%d", time.Now().UnixNano())
	review := domain.ReviewInput{Rating: 5, Text: "Boils fast"}
	if _, err := svc.PostReview(ctx, shopper, p.ID, review); err == nil {
		t.Fatal("a review before shipment was accepted")
	}
	orderID := fmt.Sprintf("order-%d", time.Now().UnixNano())
	shipped := mustEvent(t, events.TypeOrderShipped, orderID, events.OrderShipped{
		OrderID: orderID, ShopperID: shopper, MerchantID: "m1", ShippedAt: time.Now(), Complete: true,
		Lines: []events.OrderLine{{ProductID: p.ID, MerchantID: "m1", Name: "Kettle", UnitPrice: events.Money{Amount: 2500, Currency: "USD"}, Quantity: 1}},
	})
	if err := writer.Publish(ctx, shipped, shipped); err != nil {
		t.Fatal(err)
	}
	for {
		ok, err := st.HasPurchase(ctx, shopper, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("order.shipped was not recorded in time")
		case <-time.After(20 * time.Millisecond): // polling with a deadline
		}
	}
	if _, err := svc.PostReview(ctx, shopper, p.ID, review); err != nil {
		t.Fatalf("review after shipment: %v", err)
	}
	if _, err := svc.PostReview(ctx, shopper, p.ID, review); err == nil {
		t.Fatal("a second review was accepted")
	}
	got, _, err := st.Product(ctx, p.ID, "")
	if err != nil || got.Rating != (domain.Rating{Sum: 5, Count: 1}) {
		t.Fatalf("rating %+v %v", got.Rating, err)
	}
}
