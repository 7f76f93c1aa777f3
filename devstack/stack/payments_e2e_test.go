package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/stack"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// paymentEvents collects payments.events by order id.
type paymentEvents struct {
	mu   sync.Mutex
	byID map[string][]events.Envelope
}

func (pe *paymentEvents) handle(_ context.Context, msg kafka.Message) error {
	env, err := events.Parse(msg.Value)
	if err != nil {
		return kafka.Permanent(err)
	}
	pe.mu.Lock()
	defer pe.mu.Unlock()
	pe.byID[env.Subject] = append(pe.byID[env.Subject], env)
	return nil
}

func (pe *paymentEvents) of(order string) []events.Envelope {
	pe.mu.Lock()
	defer pe.mu.Unlock()
	return append([]events.Envelope(nil), pe.byID[order]...)
}

func count(envs []events.Envelope, eventType string) int {
	n := 0
	for _, e := range envs {
		if e.Type == eventType {
			n++
		}
	}
	return n
}

// TestPaymentsWithTheStripeEmulator is the "done when" on the
// running suite: payment_requested for pm_card_visa leads to
// payment.succeeded and a webhook that changes nothing further;
// pm_card_chargeDeclined to payment.failed with card_declined; a refund to
// payment.refunded; a forged webhook through the gateway gets 400.
func TestPaymentsWithTheStripeEmulator(t *testing.T) {
	st := startStack(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	brokers := []string{st.KafkaAddr()}
	w := kafka.NewWriter(brokers)
	t.Cleanup(func() { _ = w.Close() })
	collected := &paymentEvents{byID: map[string][]events.Envelope{}}
	c := kafka.NewConsumer(kafka.ConsumerConfig{Brokers: brokers, GroupID: fmt.Sprintf("e2e-payments-%d", time.Now().UnixNano()),
		Topics: []string{events.TopicPayments}, Handler: collected.handle, DLQPublisher: w, Logger: slog.New(slog.DiscardHandler)})
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	suffix := time.Now().UnixNano()
	paid, declined := fmt.Sprintf("e2e-paid-%d", suffix), fmt.Sprintf("e2e-declined-%d", suffix)
	begin := time.Now()
	for order, pm := range map[string]string{paid: "pm_card_visa", declined: "pm_card_chargeDeclined"} {
		publish(t, w, events.TypeOrderPaymentRequested, order, events.OrderPaymentRequested{OrderID: order, ShopperID: "e2e-shopper",
			Amount: events.Money{Amount: 3456, Currency: "EUR"}, PaymentMethod: pm, Attempt: 1, Deadline: time.Now().Add(time.Minute)})
	}
	waitUntil(t, "payment.succeeded and payment.failed", 60*time.Second, func() bool {
		return count(collected.of(paid), events.TypePaymentSucceeded) == 1 && count(collected.of(declined), events.TypePaymentFailed) == 1
	})
	t.Logf("payment_requested -> payment.succeeded/failed on Kafka in %s", time.Since(begin).Round(time.Millisecond))
	var failed events.PaymentFailed
	for _, e := range collected.of(declined) {
		if e.Type == events.TypePaymentFailed {
			_ = e.Decode(&failed)
		}
	}
	if failed.Code != "card_declined" || failed.DeclineCode != "generic_decline" {
		t.Errorf("payment.failed = %+v, want code card_declined (decline generic_decline)", failed)
	}
	waitUntil(t, "every webhook acknowledged by the gateway", 30*time.Second, func() bool {
		ds := st.Stripe().DeliveriesOf("payment_intent.succeeded", "payment_intent.payment_failed")
		for _, d := range ds {
			if !d.Done || d.Delivered != 1 || d.LastStatus != http.StatusOK {
				return false
			}
		}
		return len(ds) == 2
	})

	publish(t, w, events.TypeOrderRefundRequested, paid, events.OrderRefundRequested{OrderID: paid,
		Amount: events.Money{Amount: 3456, Currency: "EUR"}, Reason: events.CancelShopperCancelled})
	waitUntil(t, "payment.refunded", 30*time.Second, func() bool { return count(collected.of(paid), events.TypePaymentRefunded) == 1 })
	if n := count(collected.of(paid), events.TypePaymentSucceeded); n != 1 {
		t.Errorf("%d payment.succeeded events, want 1: the webhook must change nothing further", n)
	}
	if a := st.Stripe().Order(paid); a.SucceededCharges != 1 || a.RefundedAmount != 3456 {
		t.Errorf("emulator: %d charges, %d refunded; want one charge fully refunded", a.SucceededCharges, a.RefundedAmount)
	}

	body := []byte(`{"id":"evt_e2e_forged","object":"event","api_version":"2023-10-16","type":"payment_intent.succeeded","data":{"object":{"id":"pi_x","object":"payment_intent","status":"succeeded","metadata":{"order_id":"` + declined + `","attempt":"1"}}}}`)
	if status := postWebhook(t, st, body, stripeemu.SignatureHeader(body, "whsec_forged", time.Now())); status != http.StatusBadRequest {
		t.Errorf("forged webhook through the gateway: %d, want 400", status)
	}
	if status := postWebhook(t, st, body, stripeemu.SignatureHeader(body, st.Stripe().WebhookSecret(), time.Now())); status != http.StatusOK {
		t.Errorf("a correctly signed webhook through the gateway: %d, want 200", status)
	}
}

func publish(t *testing.T, w *kafka.Writer, eventType, order string, data any) {
	t.Helper()
	env, err := events.New(events.SourceOrders, eventType, order, data)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Publish(context.Background(), kafka.Message{Topic: events.TopicOrders, Key: order, Value: payload}); err != nil {
		t.Fatal(err)
	}
}

func postWebhook(t *testing.T, st *stack.Stack, body []byte, signature string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, st.GatewayURL()+stack.StripeWebhookPath, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", signature)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode
}

// waitUntil polls cond every 50 ms until it holds or limit passes.
func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond) // poll interval, not synchronisation
	}
}
