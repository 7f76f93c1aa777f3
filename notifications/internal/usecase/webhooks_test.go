package usecase_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/testenv"
	"github.com/mercato-shop/mercato/notifications/internal/usecase"
	"github.com/mercato-shop/mercato/platform/events"
)

// receiver is a merchant's webhook endpoint: it verifies signatures with
// the secret, answers 500 to the first request, and keeps what it accepted.
type receiver struct {
	srv    *httptest.Server
	secret string

	mu       sync.Mutex
	requests int
	accepted map[string]int // event id -> accepted deliveries
	bodies   [][]byte
	headers  []string
	bad      int
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{accepted: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.requests++
		if err := domain.Verify(r.secret, req.Header.Get(domain.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
			r.bad++
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if r.requests == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var p usecase.Payload
		_ = json.Unmarshal(body, &p)
		r.accepted[p.ID]++
		r.bodies = append(r.bodies, body)
		r.headers = append(r.headers, req.Header.Get(domain.SignatureHeader))
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) snapshot() (requests, bad int, accepted map[string]int, bodies [][]byte, headers []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	acc := map[string]int{}
	for k, v := range r.accepted {
		acc[k] = v
	}
	return r.requests, r.bad, acc, append([][]byte(nil), r.bodies...), append([]string(nil), r.headers...)
}

func TestWebhooksAreSignedRetriedAfterA500AndSeenOnceWithOwnLinesOnly(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rcv := newReceiver(t)
	hook, err := w.env.Svc.RegisterWebhook(ctx, w.merchants[0], rcv.srv.URL+"/hooks", []string{domain.EventOrderPaid, domain.EventOrderRefunded})
	if err != nil {
		t.Fatal(err)
	}
	rcv.mu.Lock()
	rcv.secret = hook.Secret
	rcv.mu.Unlock()
	other := newReceiver(t)
	otherHook, err := w.env.Svc.RegisterWebhook(ctx, "m-elsewhere", other.srv.URL, []string{domain.EventOrderPaid})
	if err != nil {
		t.Fatal(err)
	}
	other.secret = otherHook.Secret

	order := w.place(t)
	paid := w.paid(t, order)
	w.publish(paid, paid)
	var deliveries []domain.Delivery
	testenv.Eventually(t, 60*time.Second, "delivery sent", func() (bool, string) {
		deliveries, err = w.env.Svc.Deliveries(ctx, w.merchants[0], hook.ID, 10)
		if err != nil || len(deliveries) != 1 {
			return false, "deliveries: " + errString(err)
		}
		return deliveries[0].Status == domain.StatusSent, string(deliveries[0].Status) + " " + deliveries[0].LastError
	})
	if d := deliveries[0]; d.Attempts != 2 || d.EventID != paid.ID || d.EventType != domain.EventOrderPaid {
		t.Errorf("delivery %+v, want sent on the second attempt", d)
	}
	w.publish(paid) // redelivered after the delivery: nothing new
	queueEmpty(t, w.env.Store)

	requests, bad, accepted, bodies, headers := rcv.snapshot()
	if requests != 2 || bad != 0 || len(accepted) != 1 || accepted[paid.ID] != 1 {
		t.Fatalf("receiver: %d requests, %d badly signed, accepted %v; want the event once after one 500", requests, bad, accepted)
	}
	var p usecase.Payload
	if err := json.Unmarshal(bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != domain.EventOrderPaid || p.MerchantID != w.merchants[0] || p.Data.OrderID != order ||
		len(p.Data.Lines) != 1 || p.Data.Lines[0].Name != "Desk Lamp" || p.Data.Subtotal.Amount != 5000 {
		t.Errorf("payload %+v, want the lamp merchant's line only", p)
	}
	tampered := append([]byte(nil), bodies[0]...)
	tampered[len(tampered)-2] = 'X'
	if domain.Verify(hook.Secret, headers[0], tampered, time.Now(), 5*time.Minute) == nil {
		t.Error("a tampered body passed verification")
	}
	if r, _, _, _, _ := other.snapshot(); r != 0 {
		t.Errorf("another merchant's webhook got %d requests for an order it has no line in", r)
	}
	if _, err := w.env.Svc.Deliveries(ctx, w.merchants[1], hook.ID, 10); err == nil {
		t.Error("another merchant read this webhook's deliveries")
	}

	// A rotated secret signs the next deliveries.
	rotated, err := w.env.Svc.RotateSecret(ctx, w.merchants[0], hook.ID)
	if err != nil || rotated.Secret == hook.Secret {
		t.Fatalf("rotate: %v", err)
	}
	rcv.mu.Lock()
	rcv.secret = rotated.Secret
	rcv.mu.Unlock()
	refunded := refundEvent(t, order)
	w.publish(refunded)
	testenv.Eventually(t, 60*time.Second, "refund delivered", func() (bool, string) {
		_, _, acc, _, _ := rcv.snapshot()
		return acc[refunded.ID] == 1, ""
	})
}

func refundEvent(t *testing.T, order string) events.Envelope {
	t.Helper()
	env, err := events.New(events.SourceOrders, events.TypeOrderRefunded, order, events.OrderRefunded{
		OrderID: order, Amount: events.Money{Amount: 5900, Currency: "EUR"}})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
