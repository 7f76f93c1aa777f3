package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/testenv"
)

func TestPruneWebhooksForgetsOnlyOldEvents(t *testing.T) {
	st, _ := testenv.DB(t)
	ctx := context.Background()
	for _, id := range []string{"evt_old", "evt_new"} {
		if fresh, err := st.RecordWebhook(ctx, id, "payment_intent.succeeded", "o1", "applied"); err != nil || !fresh {
			t.Fatalf("record %s: %v %v", id, fresh, err)
		}
	}
	// Everything received before now+1h is older than that cutoff; nothing
	// is older than an hour ago.
	if n, err := st.PruneWebhooks(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("prune of nothing old removed %d (%v)", n, err)
	}
	if seen, _ := st.WebhookSeen(ctx, "evt_old"); !seen {
		t.Fatal("a recent event was forgotten")
	}
	if n, err := st.PruneWebhooks(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("prune removed %d (%v), want 2", n, err)
	}
	if seen, _ := st.WebhookSeen(ctx, "evt_new"); seen {
		t.Fatal("a pruned event is still seen")
	}
}
