package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/store"
	"github.com/mercato-shop/mercato/payments/internal/testenv"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestHotPathIsIndexedLookupsByID runs the store calls of a payment —
// create, read, guarded transition, retry bookkeeping, a webhook recorded
// once — and checks that each command filters by a lone _id, served from
// an index on the embedded store (docs/performance.md). The old guarded
// update ({_id, version, status, attempt}) read the whole collection.
func TestHotPathIsIndexedLookupsByID(t *testing.T) {
	st, db := testenv.DB(t)
	ctx := context.Background()
	embeddedtest.AssertHotPathIndexed(t, db, func() {
		if err := st.Insert(ctx, newPayment("o-hot"), nil); err != nil {
			t.Fatal(err)
		}
		p, err := st.Get(ctx, "o-hot")
		if err != nil {
			t.Fatal(err)
		}
		guard := store.GuardOf(p)
		p.ApplyCharge(domain.ChargeOutcome{Outcome: domain.OutcomeSucceeded, PaymentIntentID: "pi_hot", Attempt: 1}, time.Now())
		if err := st.Update(ctx, p, guard, succeeded(t, "o-hot")); err != nil {
			t.Fatal(err)
		}
		due, err := st.ScheduleRetry(ctx, "o-hot", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := st.ClearRetry(ctx, "o-hot", due); err != nil {
			t.Fatal(err)
		}
		if _, err := st.WebhookSeen(ctx, "evt_hot"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordWebhook(ctx, "evt_hot", "payment_intent.succeeded", "o-hot", "applied"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Read(ctx, "o-hot"); err != nil {
			t.Fatal(err)
		}
	})
}
