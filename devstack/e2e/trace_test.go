package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// TestCheckoutTraceReachesTheOrderPlacedEvent follows one W3C trace from a
// client's checkout request through the gateway and orders into the
// order.placed event on Kafka (DESIGN §3: traceparent travels as a header).
func TestCheckoutTraceReachesTheOrderPlacedEvent(t *testing.T) {
	a := newAPI(t)
	m := a.merchant()
	p := a.createProduct(m, unique("Trace Lamp "), 1500, 5)
	s := a.shopper()
	a.addToCart(s, p.ID, 1)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	var o order
	a.must(http.StatusAccepted, &o, http.MethodPost, "/api/v1/checkout", s.Token, checkoutBody("pm_card_visa"),
		"Idempotency-Key", unique("trace-"), "traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")

	reader := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers:     []string{suite(t).KafkaAddr()},
		GroupID:     unique("trace-reader-"),
		Topic:       "orders.events",
		StartOffset: kafkago.FirstOffset,
		MaxWait:     100 * time.Millisecond,
	})
	defer reader.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		msg, err := reader.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("no order.placed event for order %s: %v", o.ID, err)
		}
		var env struct {
			Type    string `json:"type"`
			Subject string `json:"subject"`
		}
		if json.Unmarshal(msg.Value, &env) != nil || env.Subject != o.ID || env.Type != "mercato.order.placed.v1" {
			continue
		}
		for _, h := range msg.Headers {
			if h.Key == "traceparent" {
				if parts := strings.Split(string(h.Value), "-"); len(parts) != 4 || parts[1] != traceID {
					t.Fatalf("order.placed traceparent %q, want trace %s", h.Value, traceID)
				}
				return
			}
		}
		t.Fatalf("order.placed of %s has no traceparent header (headers %v)", o.ID, msg.Headers)
	}
}
