package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/api"
	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/testenv"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestWebhookBeforeTheSynchronousAnswer(t *testing.T) {
	f := newFixture(t)
	f.em.SetFaults(stripeemu.Faults{AnswerDelayMS: 800}) // webhooks race ahead of the answer
	req := request("order-webhook-first", "pm_card_visa", 1500)
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if p := f.payment(t, req.OrderID); p.Status != domain.StatusSucceeded {
		t.Fatalf("status = %s, want succeeded", p.Status)
	}
	if got := f.webhookResults(t, req.OrderID)["payment_intent.succeeded"]; !slices.Equal(got, []string{"applied"}) {
		t.Fatalf("payment_intent.succeeded results = %v, want [applied] (the webhook came first)", got)
	}
	if got := testenv.Types(testenv.Outbox(t, f.db, req.OrderID)); !slices.Equal(got, []string{events.TypePaymentSucceeded}) {
		t.Errorf("events = %v, want one payment.succeeded: the later answer changes nothing", got)
	}
}

func TestWebhookAfterTheAnswerChangesNothing(t *testing.T) {
	f := newFixture(t)
	f.em.SetFaults(stripeemu.Faults{WebhookDelayMS: 200}) // webhooks come after the answer
	req := request("order-webhook-late", "pm_card_chargeDeclined", 1500)
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "payment_intent.payment_failed processed", 5*time.Second, func() bool {
		return len(f.webhookResults(t, req.OrderID)["payment_intent.payment_failed"]) == 1
	})
	if got := f.webhookResults(t, req.OrderID)["payment_intent.payment_failed"]; got[0] != "unchanged" {
		t.Errorf("result = %v, want unchanged", got)
	}
	if got := testenv.Types(testenv.Outbox(t, f.db, req.OrderID)); !slices.Equal(got, []string{events.TypePaymentFailed}) {
		t.Errorf("events = %v, want one payment.failed", got)
	}
}

func TestDuplicateDeliveriesApplyOnce(t *testing.T) {
	f := newFixture(t)
	f.em.SetFaults(stripeemu.Faults{DuplicateWebhooks: true, AnswerDelayMS: 300})
	req := request("order-webhook-dup", "pm_card_visa", 1500)
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "both deliveries acknowledged", 5*time.Second, func() bool {
		ds := f.em.DeliveriesOf("payment_intent.succeeded")
		return len(ds) == 1 && ds[0].Delivered == 2
	})
	if got := f.webhookResults(t, req.OrderID)["payment_intent.succeeded"]; len(got) != 1 {
		t.Errorf("recorded %v, want the event once", got)
	}
	if got := testenv.Types(testenv.Outbox(t, f.db, req.OrderID)); !slices.Equal(got, []string{events.TypePaymentSucceeded}) {
		t.Errorf("events = %v, want one payment.succeeded", got)
	}
}

func TestAuthenticationCompletedByWebhook(t *testing.T) {
	f := newFixture(t)
	req := request("order-3ds", "pm_card_authenticationRequired", 2500)
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	p := f.payment(t, req.OrderID)
	if p.Status != domain.StatusRequiresAction {
		t.Fatalf("status = %s, want requires_action", p.Status)
	}
	if err := f.em.Authenticate(p.PaymentIntentID, true); err != nil { // the shopper passes 3-D Secure
		t.Fatal(err)
	}
	testenv.Eventually(t, "the webhook to settle the payment", 5*time.Second, func() bool {
		return f.payment(t, req.OrderID).Status == domain.StatusSucceeded
	})
	want := []string{events.TypePaymentRequiresAction, events.TypePaymentSucceeded}
	if got := testenv.Types(testenv.Outbox(t, f.db, req.OrderID)); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

func TestForgedOrStaleSignaturesAreRejected(t *testing.T) {
	f := newFixture(t)
	order := "order-forged"
	p := domain.NewPayment(request(order, "pm_card_visa", 1000), time.Now())
	if err := f.st.Insert(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	body := paymentIntentEvent("evt_forged", "payment_intent.succeeded", "pi_forged", order, "succeeded")
	cases := map[string]string{
		"forged":  stripeemu.SignatureHeader(body, "whsec_attacker", time.Now()),
		"stale":   stripeemu.SignatureHeader(body, f.em.WebhookSecret(), time.Now().Add(-400*time.Second)),
		"missing": "",
		"garbage": "t=abc,v1=zz",
	}
	for name, sig := range cases {
		t.Run(name, func(t *testing.T) {
			status, problem := f.postWebhook(t, body, sig)
			if status != http.StatusBadRequest || problem["code"] != "validation_failed" {
				t.Errorf("status %d, %v; want 400 validation_failed", status, problem)
			}
		})
	}
	tampered := []byte(strings.Replace(string(body), `"amount":1000`, `"amount":1`, 1))
	if status, _ := f.postWebhook(t, tampered, stripeemu.SignatureHeader(body, f.em.WebhookSecret(), time.Now())); status != http.StatusBadRequest {
		t.Errorf("tampered body: status %d, want 400", status)
	}
	if got := f.payment(t, order); got.Status != domain.StatusProcessing || got.Version != p.Version {
		t.Errorf("payment changed by a rejected webhook: %+v", got)
	}
	if got := f.webhookResults(t, order); len(got) != 0 {
		t.Errorf("rejected webhooks were recorded: %v", got)
	}
	if status, _ := f.postWebhook(t, body, stripeemu.SignatureHeader(body, f.em.WebhookSecret(), time.Now())); status != http.StatusOK {
		t.Errorf("the same body correctly signed: status %d, want 200", status)
	}
}

func TestWebhookForAnUnknownPaymentIntentIsAcknowledged(t *testing.T) {
	f := newFixture(t)
	body := paymentIntentEvent("evt_unknown", "payment_intent.succeeded", "pi_unknown", "order-nobody-knows", "succeeded")
	sig := stripeemu.SignatureHeader(body, f.em.WebhookSecret(), time.Now())
	status, out := f.postWebhook(t, body, sig)
	if status != http.StatusOK || out["result"] != "unknown_payment" {
		t.Fatalf("status %d, %v; want 200 unknown_payment", status, out)
	}
	status, out = f.postWebhook(t, body, sig)
	if status != http.StatusOK || out["result"] != "duplicate" {
		t.Errorf("again: status %d, %v; want 200 duplicate", status, out)
	}
	other := []byte(strings.Replace(string(body), `"metadata":{"order_id":"order-nobody-knows","attempt":"1"}`, `"metadata":{}`, 1))
	other = []byte(strings.Replace(string(other), "evt_unknown", "evt_unknown_2", 1))
	status, out = f.postWebhook(t, other, stripeemu.SignatureHeader(other, f.em.WebhookSecret(), time.Now()))
	if status != http.StatusOK || out["result"] != "unknown_payment" {
		t.Errorf("without metadata: status %d, %v; want 200 unknown_payment", status, out)
	}
}

func TestOversizedWebhookIsRefused(t *testing.T) {
	f := newFixture(t)
	body := []byte(`{"id":"evt_big","pad":"` + strings.Repeat("x", api.MaxWebhookBytes) + `"}`)
	status, problem := f.postWebhook(t, body, stripeemu.SignatureHeader(body, f.em.WebhookSecret(), time.Now()))
	if status != http.StatusRequestEntityTooLarge || problem["code"] != "payload_too_large" {
		t.Errorf("status %d, %v; want 413 payload_too_large", status, problem)
	}
}

func TestRefundWebhookAfterTheAnswerChangesNothing(t *testing.T) {
	f := newFixture(t)
	f.em.SetFaults(stripeemu.Faults{WebhookDelayMS: 200})
	req := request("order-refund-hook", "pm_card_visa", 2000)
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestRefund(context.Background(), req.OrderID, "k1", 500, ""); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "charge.refunded processed", 5*time.Second, func() bool {
		return len(f.webhookResults(t, req.OrderID)["charge.refunded"]) == 1
	})
	p := f.payment(t, req.OrderID)
	if p.RefundedAmount != 500 || p.Status != domain.StatusPartiallyRefunded || len(p.Refunds) != 1 {
		t.Errorf("payment = %+v, want 500 refunded once", p)
	}
	want := []string{events.TypePaymentSucceeded, events.TypePaymentRefunded}
	if got := testenv.Types(testenv.Outbox(t, f.db, req.OrderID)); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

func TestRefundWebhookBeforeTheAnswerSettlesTheSameRefund(t *testing.T) {
	f := newFixture(t)
	req := request("order-refund-hook-first", "pm_card_visa", 2000)
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	f.em.SetFaults(stripeemu.Faults{AnswerDelayMS: 800})
	if err := f.svc.RequestRefund(context.Background(), req.OrderID, "k1", 500, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.webhookResults(t, req.OrderID)["charge.refunded"]; !slices.Equal(got, []string{"applied"}) {
		t.Fatalf("charge.refunded results = %v, want [applied] (the webhook came first)", got)
	}
	p := f.payment(t, req.OrderID)
	if p.RefundedAmount != 500 || len(p.Refunds) != 1 || p.Refunds[0].Key != "k1" {
		t.Errorf("payment = %+v, want refund k1 of 500 counted once", p)
	}
	want := []string{events.TypePaymentSucceeded, events.TypePaymentRefunded}
	if got := testenv.Types(testenv.Outbox(t, f.db, req.OrderID)); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}
