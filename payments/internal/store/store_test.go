package store_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/store"
	"github.com/mercato-shop/mercato/payments/internal/testenv"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
)

func TestMain(m *testing.M) { os.Exit(testenv.RunWithMongo(m)) }

func newPayment(order string) *domain.Payment {
	return domain.NewPayment(domain.ChargeRequest{OrderID: order, ShopperID: "s1", Amount: 1000, Currency: "EUR",
		PaymentMethod: "pm_card_visa", Attempt: 1, Deadline: time.Now().Add(time.Minute)}, time.Now())
}

// succeeded is the outbox entry of a payment.succeeded event of order.
func succeeded(t testing.TB, order string) []outbox.Entry {
	t.Helper()
	e, err := outbox.NewEvent(context.Background(), events.TopicPayments, events.SourcePayments, events.TypePaymentSucceeded,
		order, events.PaymentSucceeded{OrderID: order, PaymentIntentID: "pi_1", Amount: events.Money{Amount: 1000, Currency: "EUR"}, Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	return []outbox.Entry{e}
}

func TestRoundTripAndDuplicateInsert(t *testing.T) {
	st, _ := testenv.DB(t)
	ctx := context.Background()
	p := newPayment("o-roundtrip")
	p.Refunds = []domain.Refund{{Key: "k1", Amount: 10, Status: domain.RefundPending, RequestedAt: time.Now()}}
	if err := st.Insert(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	got, err := st.Get(ctx, "o-roundtrip")
	if err != nil || got.IdempotencyKey != p.IdempotencyKey || got.Status != domain.StatusProcessing || len(got.Refunds) != 1 ||
		!got.Deadline.Equal(p.Deadline.Truncate(time.Millisecond)) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	if err := st.Insert(ctx, newPayment("o-roundtrip"), nil); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("second insert: %v, want ErrConflict", err)
	}
	if _, err := st.Get(ctx, "o-missing"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("missing: %v, want ErrNotFound", err)
	}
}

func TestGuardedUpdateAppliesOnceUnderConcurrency(t *testing.T) {
	st, db := testenv.DB(t)
	ctx := context.Background()
	if err := st.Insert(ctx, newPayment("o-race"), nil); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	results := make(chan error, writers)
	loaded, err := st.Get(ctx, "o-race")
	if err != nil {
		t.Fatal(err)
	}
	for range writers {
		wg.Go(func() {
			p := *loaded
			guard := store.GuardOf(&p)
			p.ApplyCharge(domain.ChargeOutcome{Outcome: domain.OutcomeSucceeded, PaymentIntentID: "pi_1", Attempt: 1}, time.Now())
			results <- st.Update(ctx, &p, guard, succeeded(t, "o-race"))
		})
	}
	wg.Wait()
	close(results)
	ok, conflicts := 0, 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, apperr.ErrConflict):
			conflicts++
		default:
			t.Fatal(err)
		}
	}
	if ok != 1 || conflicts != writers-1 {
		t.Errorf("%d updates applied, %d conflicts; want exactly one applied", ok, conflicts)
	}
	if evs := testenv.Outbox(t, db, "o-race"); len(evs) != 1 {
		t.Errorf("outbox holds %d events, want 1", len(evs))
	}
	if p, _ := st.Get(ctx, "o-race"); p.Version != 1 || p.Status != domain.StatusSucceeded {
		t.Errorf("payment = %+v, want version 1 succeeded", p)
	}
}

func TestRetriesAreScheduledListedAndCleared(t *testing.T) {
	st, _ := testenv.DB(t)
	ctx := context.Background()
	now := time.Now()
	dueA, _ := st.ScheduleRetry(ctx, "o-a", now.Add(-time.Second))
	if _, err := st.ScheduleRetry(ctx, "o-b", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	due, err := st.DueRetries(ctx, now, 10)
	if err != nil || len(due) != 1 || due[0].OrderID != "o-a" {
		t.Fatalf("due = %+v, %v; want only o-a", due, err)
	}
	if err := st.ClearRetry(ctx, "o-a", dueA.Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, pending, _ := st.RetryOf(ctx, "o-a"); !pending {
		t.Error("a clear for another due time removed the retry")
	}
	if err := st.ClearRetry(ctx, "o-a", dueA); err != nil {
		t.Fatal(err)
	}
	if _, pending, _ := st.RetryOf(ctx, "o-a"); pending {
		t.Error("the retry is still there after its clear")
	}
}

func TestWebhookEventsAreRecordedOnce(t *testing.T) {
	st, _ := testenv.DB(t)
	ctx := context.Background()
	first, err := st.RecordWebhook(ctx, "evt_1", "payment_intent.succeeded", "o1", "applied")
	if err != nil || !first {
		t.Fatalf("first record: %v, %v", first, err)
	}
	again, err := st.RecordWebhook(ctx, "evt_1", "payment_intent.succeeded", "o1", "applied")
	if err != nil || again {
		t.Errorf("second record: %v, %v; want false, nil", again, err)
	}
	if seen, err := st.WebhookSeen(ctx, "evt_1"); err != nil || !seen {
		t.Errorf("seen = %v, %v", seen, err)
	}
	if seen, err := st.WebhookSeen(ctx, "evt_2"); err != nil || seen {
		t.Errorf("unknown event seen = %v, %v", seen, err)
	}
}
