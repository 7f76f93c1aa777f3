package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// The Stripe emulator is run by the stack for the payments service. The
// tests read what it holds for an order (charges, refunds) from the
// emulator itself, through whichever accessor the stack offers.
type (
	emulatorAccessor interface{ Stripe() *stripeemu.Emulator }
	emulatorURLer    interface{ StripeURL() string }
)

// stripeActivity returns the emulator's charges and refunds of an order.
func stripeActivity(t *testing.T, orderID string) stripeemu.OrderActivity {
	t.Helper()
	var st any = suite(t)
	switch s := st.(type) {
	case emulatorAccessor:
		return s.Stripe().Order(orderID)
	case emulatorURLer:
		resp, err := httpClient.Get(s.StripeURL() + "/_emulator/orders/" + orderID)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out stripeemu.OrderActivity
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("emulator answered %s", resp.Status)
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if fallbackEmulator != nil {
		return fallbackEmulator.Order(orderID)
	}
	t.Fatal("no Stripe emulator: the stack exposes none (Stripe() or StripeURL()) and no fallback runs")
	return stripeemu.OrderActivity{}
}

// netCharged is what the shopper paid for an order, net of refunds.
func netCharged(a stripeemu.OrderActivity) int64 { return a.CapturedAmount - a.RefundedAmount }

func describe(a stripeemu.OrderActivity) string {
	return fmt.Sprintf("%d succeeded charges, captured %d, refunded %d, %d refunds",
		a.SucceededCharges, a.CapturedAmount, a.RefundedAmount, len(a.Refunds))
}
