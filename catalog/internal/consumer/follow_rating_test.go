package consumer_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestReplicaSeesAnotherReplicasReviewRating: a review posted on replica A
// (its product.updated event) shows in replica B's rating within 1 s.
func TestReplicaSeesAnotherReplicasReviewRating(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dbName := embeddedtest.UniqueName("follow_rating")
	a, b := newReplica(t, dbName), newReplica(t, dbName)
	a.start(t, false)
	b.start(t, false)
	p, err := a.svc.CreateProduct(ctx, "m1", domain.Draft{SKU: "R1", Name: "Rated kettle", Category: "kitchen", Price: domain.Money{Amount: 2500, Currency: "USD"}, Stock: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.svc.RecordShipment(ctx, "s1", "o1", []string{p.ID}, time.Now()); err != nil {
		t.Fatal(err)
	}
	within(t, time.Now(), time.Second, "product on B", func() bool { _, ok := b.model.Get(p.ID); return ok })
	written := time.Now()
	if _, err := a.svc.PostReview(ctx, "s1", p.ID, domain.ReviewInput{Rating: 3, Text: "Fine"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.model.Get(p.ID); got.Rating != (domain.Rating{Sum: 3, Count: 1}) {
		t.Fatalf("A's own model: %+v", got.Rating)
	}
	within(t, written, time.Second, "rating on B", func() bool {
		got, _ := b.model.Get(p.ID)
		return got.Rating == domain.Rating{Sum: 3, Count: 1}
	})
}
