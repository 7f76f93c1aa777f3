package stripeapi_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/paymentintent"
	"github.com/stripe/stripe-go/v76/refund"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/stripeapi"
)

// stripeMockVersion is the stripe-mock CI installs:
// go install github.com/stripe/stripe-mock@v0.203.0
const stripeMockVersion = "v0.203.0"

// startStripeMock runs the official stripe-mock on a free loopback port
// and returns its URL. stripe-mock validates every request against
// Stripe's OpenAPI spec, so a parameter Stripe would refuse fails the call.
func startStripeMock(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		t.Skipf("stripe-mock is not on PATH; install it with `go install github.com/stripe/stripe-mock@%s` (CI does)", stripeMockVersion)
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				addr <- a
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not report its address within 30 s")
		return ""
	}
}

// acceptedByStripeMock fails the test when stripe-mock refused a request.
func acceptedByStripeMock(t *testing.T, what string, err error) {
	t.Helper()
	var se *stripe.Error
	if errors.As(err, &se) {
		t.Fatalf("%s refused by stripe-mock: %d %s %s (param %q)", what, se.HTTPStatusCode, se.Type, se.Msg, se.Param)
	}
	if err != nil && !errors.Is(err, stripeapi.ErrNotSettled) {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestEveryRequestIsAcceptedByStripeMock(t *testing.T) {
	url := startStripeMock(t)
	ctx := context.Background()
	call := domain.ChargeCall{OrderID: "order-contract", Attempt: 2, Amount: 2599, Currency: "EUR", PaymentMethod: "pm_card_visa",
		IdempotencyKey: domain.IdempotencyKey("order-contract", 2)}
	refundCall := domain.RefundCall{OrderID: "order-contract", PaymentIntentID: "pi_123", Amount: 1000, Key: domain.RefundKey("evt-1"), Reason: "shopper_cancelled"}

	// The exact parameters the adapter builds, sent through stripe-go.
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL: stripe.String(url), MaxNetworkRetries: stripe.Int64(0), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	pi, err := paymentintent.Client{B: backend, Key: "sk_test_contract"}.New(stripeapi.ChargeParams(ctx, call))
	acceptedByStripeMock(t, "create and confirm PaymentIntent", err)
	if pi.ID == "" || pi.Object != "payment_intent" {
		t.Errorf("PaymentIntent = %+v", pi)
	}
	re, err := refund.Client{B: backend, Key: "sk_test_contract"}.New(stripeapi.RefundParams(ctx, refundCall))
	acceptedByStripeMock(t, "refund", err)
	if re.ID == "" || re.Object != "refund" {
		t.Errorf("refund = %+v", re)
	}

	// The adapter itself, breaker and all.
	client := stripeapi.New(stripeapi.Options{APIURL: url, SecretKey: "sk_test_contract", Timeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	_, err = client.Charge(ctx, call)
	acceptedByStripeMock(t, "adapter Charge", err)
	_, err = client.Refund(ctx, refundCall)
	acceptedByStripeMock(t, "adapter Refund", err)
}
