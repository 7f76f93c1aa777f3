package stripeemu_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stripe/stripe-go/v76"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestSucceedingCardsChargeOnce(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	for _, pm := range []string{"pm_card_visa", "pm_card_mastercard"} {
		t.Run(pm, func(t *testing.T) {
			order := "order-ok-" + pm
			pi, err := c.intents.New(chargeParams(order, pm, 2599, ""))
			if err != nil {
				t.Fatal(err)
			}
			if pi.Status != stripe.PaymentIntentStatusSucceeded || pi.Amount != 2599 || pi.AmountReceived != 2599 ||
				pi.Currency != "eur" || pi.Object != "payment_intent" || pi.Livemode || pi.ClientSecret == "" ||
				pi.LatestCharge == nil || pi.LatestCharge.ID == "" || pi.Metadata["order_id"] != order || pi.Created == 0 {
				t.Fatalf("payment intent = %+v", pi)
			}
			got, err := c.intents.Get(pi.ID, &stripe.PaymentIntentParams{Expand: []*string{stripe.String("latest_charge")}})
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != pi.ID || got.Status != stripe.PaymentIntentStatusSucceeded || got.LatestCharge.Status != stripe.ChargeStatusSucceeded || got.LatestCharge.Amount != 2599 {
				t.Fatalf("retrieved = %+v, charge %+v", got, got.LatestCharge)
			}
			activity := em.Order(order)
			if activity.SucceededCharges != 1 || activity.CapturedAmount != 2599 {
				t.Errorf("order activity = %+v, want one charge of 2599", activity)
			}
		})
	}
}

func TestDeclinesAnswer402WithTheDeclineCode(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	cases := []struct{ pm, code, decline string }{
		{"pm_card_chargeDeclined", "card_declined", "generic_decline"},
		{"pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"},
		{"pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"},
	}
	for _, tc := range cases {
		t.Run(tc.pm, func(t *testing.T) {
			order := "order-decline-" + tc.pm
			_, err := c.intents.New(chargeParams(order, tc.pm, 1000, ""))
			var se *stripe.Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *stripe.Error", err)
			}
			var cardErr *stripe.CardError
			if se.HTTPStatusCode != http.StatusPaymentRequired || se.Type != stripe.ErrorTypeCard || string(se.Code) != tc.code ||
				string(se.DeclineCode) != tc.decline || !errors.As(se.Err, &cardErr) {
				t.Fatalf("error = %+v, want 402 card_error %s/%s", se, tc.code, tc.decline)
			}
			pi := se.PaymentIntent
			if pi == nil || pi.Status != stripe.PaymentIntentStatusRequiresPaymentMethod || pi.LastPaymentError == nil ||
				string(pi.LastPaymentError.DeclineCode) != tc.decline || pi.Metadata["order_id"] != order {
				t.Fatalf("payment intent in the error = %+v", pi)
			}
			if a := em.Order(order); a.SucceededCharges != 0 || len(a.Charges) != 1 || a.Charges[0].Status != "failed" {
				t.Errorf("order activity = %+v, want one failed charge", a)
			}
		})
	}
}

func TestAuthenticationRequiredThenCompleted(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	pi, err := c.intents.New(chargeParams("order-3ds", "pm_card_authenticationRequired", 4200, ""))
	if err != nil {
		t.Fatal(err)
	}
	if pi.Status != stripe.PaymentIntentStatusRequiresAction || pi.NextAction == nil || pi.NextAction.Type != "use_stripe_sdk" {
		t.Fatalf("payment intent = %+v, want requires_action with use_stripe_sdk", pi)
	}
	if err := em.Authenticate(pi.ID, true); err != nil {
		t.Fatal(err)
	}
	got, err := c.intents.Get(pi.ID, nil)
	if err != nil || got.Status != stripe.PaymentIntentStatusSucceeded {
		t.Fatalf("after authentication: %+v, %v", got, err)
	}
	if err := em.Authenticate(pi.ID, true); !errors.Is(err, stripeemu.ErrUnexpectedState) {
		t.Errorf("second authentication: %v, want ErrUnexpectedState", err)
	}
}

func TestConfirmAndCancel(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	params := &stripe.PaymentIntentParams{Amount: stripe.Int64(500), Currency: stripe.String("usd")}
	pi, err := c.intents.New(params)
	if err != nil || pi.Status != stripe.PaymentIntentStatusRequiresPaymentMethod {
		t.Fatalf("create: %+v, %v", pi, err)
	}
	confirmed, err := c.intents.Confirm(pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
	if err != nil || confirmed.Status != stripe.PaymentIntentStatusSucceeded {
		t.Fatalf("confirm: %+v, %v", confirmed, err)
	}
	if _, err := c.intents.Cancel(pi.ID, nil); !isInvalidRequest(err) {
		t.Errorf("cancel a succeeded PaymentIntent: %v, want invalid_request_error", err)
	}
	other, err := c.intents.New(params)
	if err != nil {
		t.Fatal(err)
	}
	canceled, err := c.intents.Cancel(other.ID, nil)
	if err != nil || canceled.Status != stripe.PaymentIntentStatusCanceled || canceled.CanceledAt == 0 {
		t.Fatalf("cancel: %+v, %v", canceled, err)
	}
	if _, err := c.intents.Get("pi_missing", nil); !isInvalidRequest(err) {
		t.Errorf("unknown id: %v, want invalid_request_error", err)
	}
	if _, err := c.intents.Confirm(other.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_bogus")}); !isInvalidRequest(err) {
		t.Errorf("confirm a canceled PaymentIntent: %v, want invalid_request_error", err)
	}
}

func isInvalidRequest(err error) bool {
	var se *stripe.Error
	return errors.As(err, &se) && se.Type == stripe.ErrorTypeInvalidRequest
}

func TestAPIKeyIsChecked(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{SecretKey: "sk_test_right"})
	_, err := stripeClients(em, "sk_test_wrong1234").intents.New(chargeParams("order-key", "pm_card_visa", 100, ""))
	var se *stripe.Error
	if !errors.As(err, &se) || se.HTTPStatusCode != http.StatusUnauthorized || se.Type != stripe.ErrorTypeInvalidRequest || se.Msg != "Invalid API Key provided: sk_test_*********1234" {
		t.Fatalf("wrong key: %+v, want 401 invalid_request_error", err)
	}
	if a := em.Order("order-key"); len(a.PaymentIntents) != 0 {
		t.Errorf("a rejected call created %d PaymentIntents", len(a.PaymentIntents))
	}
}
