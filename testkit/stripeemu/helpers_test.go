package stripeemu_test

import (
	"io"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/paymentintent"
	"github.com/stripe/stripe-go/v76/refund"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// startEmulator starts an emulator on a free port, closed with the test.
func startEmulator(t *testing.T, opts stripeemu.Options) *stripeemu.Emulator {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	em, err := stripeemu.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = em.Close() })
	return em
}

// clients are stripe-go clients bound to one backend and key.
type clients struct {
	intents paymentintent.Client
	refunds refund.Client
}

// stripeClients talks to the emulator through stripe-go, as payments does,
// without stripe-go's own retries.
func stripeClients(em *stripeemu.Emulator, key string) clients {
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(em.URL()),
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	return clients{intents: paymentintent.Client{B: backend, Key: key}, refunds: refund.Client{B: backend, Key: key}}
}

// chargeParams is a create-and-confirm request as the payments adapter
// sends it.
func chargeParams(orderID, pm string, amount int64, idempotencyKey string) *stripe.PaymentIntentParams {
	p := &stripe.PaymentIntentParams{
		Amount:             stripe.Int64(amount),
		Currency:           stripe.String("eur"),
		PaymentMethod:      stripe.String(pm),
		PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
		Confirm:            stripe.Bool(true),
	}
	p.AddMetadata("order_id", orderID)
	p.AddMetadata("attempt", "1")
	if idempotencyKey != "" {
		p.SetIdempotencyKey(idempotencyKey)
	}
	return p
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
