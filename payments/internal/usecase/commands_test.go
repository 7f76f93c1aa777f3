package usecase

import (
	"context"
	"testing"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// maxPaymentCommands bounds the store commands (finds, updates, deletes;
// inserts aside) of one successful charge and the Stripe webhook that
// confirms it, on the embedded store: the retry lease taken before the
// Stripe call (1), the payment read and its answer written guarded (2: the
// writer judges the guard on the payment as it inserted it), the lease
// cleared (1: its guard is judged on the lease as written), and the
// webhook's read of the payment, which it does not change (1). Reading the
// new payment back after its insert, asking whether the webhook's id was
// seen and reading the payment and the lease again for their guards cost
// four more (9).
const maxPaymentCommands = 5

func TestAChargeAndItsWebhookCostAFewStoreCommands(t *testing.T) {
	f := newFixture(t, breaker.Options{})
	order := embeddedtest.UniqueName("order-commands")
	cmds := embeddedtest.RecordCommands(t, f.db.Write.Name(), func() {
		if err := f.svc.RequestPayment(context.Background(), request(order, "pm_card_visa", 1200)); err != nil {
			t.Fatal(err)
		}
		p := f.payment(t, order)
		outcome := domain.ChargeOutcome{Outcome: domain.OutcomeSucceeded, PaymentIntentID: p.PaymentIntentID, Attempt: 1}
		res, err := f.svc.HandleWebhook(context.Background(), domain.WebhookEvent{ID: "evt_" + order,
			Type: "payment_intent.succeeded", OrderID: order, PaymentIntentID: p.PaymentIntentID, Charge: &outcome})
		if err != nil || res != WebhookUnchanged {
			t.Fatalf("webhook: %s, %v; want %s", res, err, WebhookUnchanged)
		}
	})
	// The test's own read of the payment is one of them.
	if n := len(cmds) - 1; n > maxPaymentCommands {
		t.Errorf("%d store commands for a charge and its webhook, want at most %d: %v", n, maxPaymentCommands, cmds)
	}
	t.Logf("%d commands: %v", len(cmds)-1, cmds)
}
