package stripeemu_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// receiver is a webhook endpoint that verifies signatures with stripe-go
// and can refuse the first deliveries.
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	refuse int // answer 500 to this many deliveries first
	events []stripe.Event
	bad    []error
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.refuse > 0 {
		rc.refuse--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	ev, err := webhook.ConstructEvent(body, r.Header.Get("Stripe-Signature"), rc.secret)
	if err != nil {
		rc.bad = append(rc.bad, err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.events = append(rc.events, ev)
	w.WriteHeader(http.StatusOK)
}

func (rc *receiver) received(eventType stripe.EventType) []stripe.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []stripe.Event
	for _, ev := range rc.events {
		if ev.Type == eventType {
			out = append(out, ev)
		}
	}
	return out
}

// waitFor polls cond every 10 ms until it holds or the deadline passes.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
}

func TestWebhooksAreSignedAndDecodeIntoStripeEvents(t *testing.T) {
	rc := &receiver{t: t, secret: "whsec_test_emu"}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	em := startEmulator(t, stripeemu.Options{WebhookSecret: rc.secret, WebhookURL: srv.URL})
	c := stripeClients(em, em.SecretKey())
	pi, err := c.intents.New(chargeParams("order-hook", "pm_card_visa", 700, ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.refunds.New(&stripe.RefundParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(200)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "payment_intent.succeeded and charge.refunded", 5*time.Second, func() bool {
		return len(rc.received("payment_intent.succeeded")) == 1 && len(rc.received("charge.refunded")) == 1
	})
	ev := rc.received("payment_intent.succeeded")[0]
	var got stripe.PaymentIntent
	if err := json.Unmarshal(ev.Data.Raw, &got); err != nil || got.ID != pi.ID || got.Status != stripe.PaymentIntentStatusSucceeded || got.Metadata["order_id"] != "order-hook" {
		t.Fatalf("event object = %+v, %v", got, err)
	}
	if ev.APIVersion != stripe.APIVersion || ev.Object != "event" || ev.ID == "" {
		t.Errorf("event = %+v", ev)
	}
	var ch stripe.Charge
	if err := json.Unmarshal(rc.received("charge.refunded")[0].Data.Raw, &ch); err != nil || ch.AmountRefunded != 200 || ch.PaymentIntent.ID != pi.ID || len(ch.Refunds.Data) != 1 {
		t.Fatalf("charge.refunded object = %+v, %v", ch, err)
	}
	if len(rc.bad) != 0 {
		t.Errorf("signature failures: %v", rc.bad)
	}
}

func TestWebhookRetriedUntilAcknowledged(t *testing.T) {
	rc := &receiver{t: t, secret: stripeemu.DefaultWebhookSecret, refuse: 2}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	em := startEmulator(t, stripeemu.Options{WebhookURL: srv.URL, WebhookRetryMin: 20 * time.Millisecond})
	c := stripeClients(em, em.SecretKey())
	if _, err := c.intents.New(chargeParams("order-hook-retry", "pm_card_chargeDeclined", 700, "")); err == nil {
		t.Fatal("want a decline")
	}
	waitFor(t, "every event delivered", 5*time.Second, func() bool {
		for _, d := range em.Deliveries() {
			if !d.Done {
				return false
			}
		}
		return len(em.Deliveries()) > 0
	})
	attempts := 0
	for _, d := range em.Deliveries() {
		if d.Delivered != 1 {
			t.Errorf("delivery %+v, want delivered once", d)
		}
		attempts += d.Attempts
	}
	if want := len(em.Deliveries()) + 2; attempts != want {
		t.Errorf("%d attempts, want %d (two refused)", attempts, want)
	}
	if len(rc.received("payment_intent.payment_failed")) != 1 {
		t.Errorf("payment_failed received %d times, want 1", len(rc.received("payment_intent.payment_failed")))
	}
}

func TestDuplicateWebhookSwitch(t *testing.T) {
	rc := &receiver{t: t, secret: stripeemu.DefaultWebhookSecret}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	em := startEmulator(t, stripeemu.Options{WebhookURL: srv.URL})
	em.SetFaults(stripeemu.Faults{DuplicateWebhooks: true})
	c := stripeClients(em, em.SecretKey())
	if _, err := c.intents.New(chargeParams("order-hook-dup", "pm_card_visa", 700, "")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two deliveries of payment_intent.succeeded", 5*time.Second, func() bool {
		return len(rc.received("payment_intent.succeeded")) == 2
	})
	evs := rc.received("payment_intent.succeeded")
	if evs[0].ID != evs[1].ID {
		t.Errorf("duplicates have ids %s and %s, want the same event", evs[0].ID, evs[1].ID)
	}
}

func TestInjectedErrorsAndLatency(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	em.SetFaults(stripeemu.Faults{FailNext: 2})
	for i := range 2 {
		_, err := c.intents.New(chargeParams("order-faults", "pm_card_visa", 100, "k-faults"))
		var se *stripe.Error
		if !errors.As(err, &se) || se.HTTPStatusCode != http.StatusInternalServerError || se.Type != stripe.ErrorTypeAPI {
			t.Fatalf("call %d: %v, want an injected 500 api_error", i, err)
		}
	}
	pi, err := c.intents.New(chargeParams("order-faults", "pm_card_visa", 100, "k-faults"))
	if err != nil || pi.Status != stripe.PaymentIntentStatusSucceeded {
		t.Fatalf("third call: %+v, %v", pi, err)
	}
	if a := em.Order("order-faults"); a.SucceededCharges != 1 || em.InjectedErrors() != 2 {
		t.Errorf("charges %d, injected %d; want 1 and 2", a.SucceededCharges, em.InjectedErrors())
	}

	em.SetFaults(stripeemu.Faults{LatencyMS: 150})
	begin := time.Now()
	if _, err := c.intents.Get(pi.ID, nil); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begin); took < 150*time.Millisecond {
		t.Errorf("call took %s with 150 ms of injected latency", took)
	}
}

func TestAdminEndpoints(t *testing.T) {
	em := startEmulator(t, stripeemu.Options{})
	c := stripeClients(em, em.SecretKey())
	pi, err := c.intents.New(chargeParams("order-admin", "pm_card_authenticationRequired", 100, ""))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(em.URL()+"/_emulator/payment_intents/"+pi.ID+"/authenticate", "", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("authenticate: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(em.URL() + "/_emulator/orders/order-admin")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var activity stripeemu.OrderActivity
	if err := json.NewDecoder(resp.Body).Decode(&activity); err != nil || activity.SucceededCharges != 1 {
		t.Fatalf("order activity = %+v, %v", activity, err)
	}
	req, _ := http.NewRequest(http.MethodPut, em.URL()+"/_emulator/faults", stringsReader(`{"fail_next":1,"error_status":503}`))
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("set faults: %v %v", resp, err)
	}
	resp.Body.Close()
	if f := em.Faults(); f.FailNext != 1 || f.ErrorStatus != 503 {
		t.Errorf("faults = %+v", f)
	}
}

// TestReorderedWebhooksSwitch charges ten orders one after the other with
// the reorder window on: the payment_intent.succeeded events do not arrive
// in the order they were emitted, and each one arrives.
func TestReorderedWebhooksSwitch(t *testing.T) {
	rc := &receiver{t: t, secret: stripeemu.DefaultWebhookSecret}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	em := startEmulator(t, stripeemu.Options{WebhookURL: srv.URL})
	em.SetFaults(stripeemu.Faults{ReorderWindowMS: 500})
	c := stripeClients(em, em.SecretKey())
	var emitted []string
	for i := range 10 {
		pi, err := c.intents.New(chargeParams("order-reorder-"+string(rune('a'+i)), "pm_card_visa", 700, ""))
		if err != nil {
			t.Fatal(err)
		}
		emitted = append(emitted, pi.ID)
	}
	waitFor(t, "ten payment_intent.succeeded", 10*time.Second, func() bool {
		return len(rc.received("payment_intent.succeeded")) == 10
	})
	var arrived []string
	for _, ev := range rc.received("payment_intent.succeeded") {
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			t.Fatal(err)
		}
		arrived = append(arrived, pi.ID)
	}
	if slices.Equal(arrived, emitted) {
		t.Fatalf("events arrived in emission order with reordering on: %v", arrived)
	}
	slices.Sort(arrived)
	slices.Sort(emitted)
	if !slices.Equal(arrived, emitted) {
		t.Fatalf("arrived %v, emitted %v", arrived, emitted)
	}
}
