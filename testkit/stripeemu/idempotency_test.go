package stripeemu_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stripe/stripe-go/v76"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestSameKeySameParamsReplaysTheFirstAnswer(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	first, err := c.intents.New(chargeParams("order-idem", "pm_card_visa", 1500, "pay-order-idem-1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.intents.New(chargeParams("order-idem", "pm_card_visa", 1500, "pay-order-idem-1"))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.LastResponse.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: id %s (first %s), Idempotent-Replayed %q", again.ID, first.ID, again.LastResponse.Header.Get("Idempotent-Replayed"))
	}
	if first.LastResponse.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the first answer is marked replayed")
	}
	_, err = c.intents.New(chargeParams("order-idem", "pm_card_visa", 9999, "pay-order-idem-1"))
	var se *stripe.Error
	var idemErr *stripe.IdempotencyError
	if !errors.As(err, &se) || se.Type != stripe.ErrorTypeIdempotency || se.HTTPStatusCode != http.StatusBadRequest || !errors.As(se.Err, &idemErr) {
		t.Fatalf("other parameters: %v, want a 400 idempotency_error", err)
	}
	if a := em.Order("order-idem"); len(a.PaymentIntents) != 1 || a.SucceededCharges != 1 {
		t.Errorf("order activity = %d intents, %d charges; want 1 and 1", len(a.PaymentIntents), a.SucceededCharges)
	}
}

func TestDeclineIsReplayedToo(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	_, err1 := c.intents.New(chargeParams("order-idem-decline", "pm_card_chargeDeclined", 1500, "k-decline"))
	_, err2 := c.intents.New(chargeParams("order-idem-decline", "pm_card_chargeDeclined", 1500, "k-decline"))
	var a, b *stripe.Error
	if !errors.As(err1, &a) || !errors.As(err2, &b) || a.PaymentIntent.ID != b.PaymentIntent.ID ||
		b.LastResponse.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("declines: %v / %v, want the same PaymentIntent replayed", err1, err2)
	}
	if got := em.Order("order-idem-decline"); len(got.Charges) != 1 {
		t.Errorf("%d charge attempts, want 1", len(got.Charges))
	}
}
