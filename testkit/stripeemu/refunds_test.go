package stripeemu_test

import (
	"errors"
	"testing"

	"github.com/stripe/stripe-go/v76"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestPartialThenFullRefund(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	pi, err := c.intents.New(chargeParams("order-refund", "pm_card_visa", 3000, ""))
	if err != nil {
		t.Fatal(err)
	}
	params := &stripe.RefundParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1000)}
	params.AddMetadata("order_id", "order-refund")
	partial, err := c.refunds.New(params)
	if err != nil {
		t.Fatal(err)
	}
	if partial.Status != stripe.RefundStatusSucceeded || partial.Amount != 1000 || partial.PaymentIntent.ID != pi.ID || partial.Charge.ID != pi.LatestCharge.ID {
		t.Fatalf("partial refund = %+v", partial)
	}
	_, err = c.refunds.New(&stripe.RefundParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(2001)})
	var se *stripe.Error
	if !errors.As(err, &se) || se.Code != "amount_too_large" {
		t.Fatalf("over-refund: %v, want amount_too_large", err)
	}
	rest, err := c.refunds.New(&stripe.RefundParams{PaymentIntent: stripe.String(pi.ID)})
	if err != nil || rest.Amount != 2000 {
		t.Fatalf("refund of the rest: %+v, %v", rest, err)
	}
	got, err := c.refunds.Get(rest.ID, nil)
	if err != nil || got.ID != rest.ID {
		t.Fatalf("get refund: %+v, %v", got, err)
	}
	if _, err := c.refunds.New(&stripe.RefundParams{PaymentIntent: stripe.String(pi.ID)}); !errors.As(err, &se) || se.Code != "charge_already_refunded" {
		t.Errorf("refund of a refunded charge: %v, want charge_already_refunded", err)
	}
	a := em.Order("order-refund")
	if a.RefundedAmount != 3000 || len(a.Refunds) != 2 || !a.Charges[0].Refunded {
		t.Errorf("order activity = %+v, want 3000 refunded in two refunds", a)
	}
}

func TestRefundOfAnUnpaidIntentIsRefused(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	_, err := c.intents.New(chargeParams("order-refund-declined", "pm_card_chargeDeclined", 3000, ""))
	var se *stripe.Error
	if !errors.As(err, &se) {
		t.Fatal(err)
	}
	_, err = c.refunds.New(&stripe.RefundParams{PaymentIntent: stripe.String(se.PaymentIntent.ID)})
	if !isInvalidRequest(err) {
		t.Fatalf("refund of a declined PaymentIntent: %v, want invalid_request_error", err)
	}
}
