package consumer_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/consumer"
	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/testenv"
	"github.com/mercato-shop/mercato/payments/internal/usecase"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Kafka: true, Mongo: true}))
}

func publish(t *testing.T, w *kafka.Writer, topic, eventType, subject string, data any) events.Envelope {
	t.Helper()
	env, err := events.New(events.SourceOrders, eventType, subject, data)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Publish(context.Background(), kafka.Message{Topic: topic, Key: subject, Value: payload}); err != nil {
		t.Fatal(err)
	}
	return env
}

func TestOrdersEventsChargeAndRefundOnce(t *testing.T) {
	topic := embeddedtest.Topic(t, 1)
	brokers := embeddedtest.Brokers()
	ctx, cancel := context.WithCancel(context.Background())
	st, db := testenv.DB(t)
	em := testenv.Emulator(t, stripeemu.Options{})
	svc := usecase.New(st, testenv.Stripe(t, em, breaker.Options{}), usecase.Options{Logger: testenv.Logger(t)})
	w := kafka.NewWriter(brokers)
	t.Cleanup(func() { _ = w.Close() })
	c := kafka.NewConsumer(kafka.ConsumerConfig{
		Brokers: brokers, GroupID: "payments-" + topic, Topics: []string{topic}, DLQPublisher: w, Logger: testenv.Logger(t),
		Handler: func(ctx context.Context, msg kafka.Message) error {
			return consumer.Handlers(svc).Handle(ctx, msg.Value)
		},
	})
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	order := "order-kafka"
	requested := events.OrderPaymentRequested{OrderID: order, ShopperID: "s1", Amount: events.Money{Amount: 4200, Currency: "EUR"},
		PaymentMethod: "pm_card_visa", Attempt: 1, Deadline: time.Now().Add(time.Minute)}
	publish(t, w, topic, events.TypeOrderPaymentRequested, order, requested)
	publish(t, w, topic, events.TypeOrderPaymentRequested, order, requested) // a duplicate from orders' outbox
	publish(t, w, topic, events.TypeOrderPlaced, order, events.OrderPlaced{OrderID: order})
	refund := publish(t, w, topic, events.TypeOrderRefundRequested, order,
		events.OrderRefundRequested{OrderID: order, Amount: events.Money{Amount: 4200, Currency: "EUR"}, Reason: events.CancelShopperCancelled})
	payload, _ := refund.Marshal()
	if err := w.Publish(ctx, kafka.Message{Topic: topic, Key: order, Value: payload}); err != nil { // redelivered refund request
		t.Fatal(err)
	}

	testenv.Eventually(t, "the order to be charged and refunded", 15*time.Second, func() bool {
		p, err := st.Get(ctx, order)
		return err == nil && p.Status == domain.StatusRefunded
	})
	want := []string{events.TypePaymentSucceeded, events.TypePaymentRefunded}
	if got := testenv.Types(testenv.Outbox(t, db, order)); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	a := em.Order(order)
	if len(a.PaymentIntents) != 1 || a.SucceededCharges != 1 || len(a.Refunds) != 1 || a.RefundedAmount != 4200 {
		t.Errorf("emulator: %d intents, %d charges, %d refunds of %d; want one of each, 4200 refunded",
			len(a.PaymentIntents), a.SucceededCharges, len(a.Refunds), a.RefundedAmount)
	}
}
