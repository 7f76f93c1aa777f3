package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// TestReviewStoreIsIndexedAndCountsOnce runs every store call of a review
// (purchase fact twice, eligibility, insert, a second insert, count,
// list, finish, page, reply twice) as lookups by a lone _id, and checks
// that counting a review again, even from many goroutines at once, adds
// nothing.
func TestReviewStoreIsIndexedAndCountsOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := embeddedtest.Database(t, config.Mongo{})
	st := store.New(db, nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertProduct(ctx, newProduct("p1", "A", 5)); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	r, err := domain.NewReview("p1", "s1", domain.ReviewInput{Rating: 4, Text: "Fine"}, now)
	if err != nil {
		t.Fatal(err)
	}
	embeddedtest.AssertHotPathIndexed(t, db, func() {
		for range 2 { // a redelivered order.shipped
			if err := st.RecordPurchase(ctx, "s1", "p1", "o1", now); err != nil {
				t.Fatal(err)
			}
		}
		if ok, err := st.HasPurchase(ctx, "s1", "p1"); err != nil || !ok {
			t.Fatalf("purchase: %v %v", ok, err)
		}
		if ok, err := st.HasPurchase(ctx, "s2", "p1"); err != nil || ok {
			t.Fatalf("another shopper's purchase: %v %v", ok, err)
		}
		if err := st.InsertReview(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := st.InsertReview(ctx, r); !errors.Is(err, domain.ErrAlreadyReviewed) {
			t.Fatalf("second review: %v", err)
		}
		p, ok, err := st.CountReview(ctx, "p1", r.ID, r.Rating, now)
		if err != nil || !ok || p.Rating != (domain.Rating{Sum: 4, Count: 1}) || p.Version != 2 {
			t.Fatalf("count: %v %v %+v v%d", ok, err, p.Rating, p.Version)
		}
		if err := st.ListReview(ctx, "p1", r.ID, now); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishReview(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		page, err := st.ReviewPage(ctx, "p1", "", 10)
		if err != nil || len(page) != 1 || page[0].ID != r.ID || page[0].Pending || page[0].Text != "Fine" {
			t.Fatalf("page: %v %+v", err, page)
		}
		for i, want := range []bool{true, false} {
			ok, err := st.SetReply(ctx, r.ID, domain.Reply{Text: "Thanks", CreatedAt: now})
			if err != nil || ok != want {
				t.Fatalf("reply %d: ok=%v %v, want %v", i, ok, err, want)
			}
		}
	})

	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok, err := st.CountReview(ctx, "p1", r.ID, r.Rating, now); err != nil || ok {
				t.Errorf("counting a counted review again: ok=%v %v", ok, err)
			}
		}()
	}
	wg.Wait()
	p, _, err := st.Product(ctx, "p1", "")
	if err != nil || p.Rating != (domain.Rating{Sum: 4, Count: 1}) {
		t.Fatalf("rating after recounts: %v %+v", err, p.Rating)
	}
	got, err := st.Review(ctx, r.ID)
	if err != nil || got.Reply == nil || got.Reply.Text != "Thanks" {
		t.Fatalf("review: %v %+v", err, got)
	}
	if _, err := st.Review(ctx, "nope"); !errors.Is(err, domain.ErrReviewNotFound) {
		t.Fatalf("unknown review: %v", err)
	}
}
