package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

func TestNewReview(t *testing.T) {
	now := time.Now()
	r, err := domain.NewReview("p1", "s1", domain.ReviewInput{Rating: 5, Text: "  <b>Great</b>\nreally  "}, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "<b>Great</b>\nreally" || !r.Pending || r.ID != domain.ReviewID("p1", "s1") || !domain.ValidReviewID(r.ID) {
		t.Fatalf("review %+v", r)
	}
	if domain.ReviewID("p1", "s1") == domain.ReviewID("p1", "s2") || domain.ReviewID("p1", "s1") == domain.ReviewID("p2", "s1") {
		t.Fatal("review ids collide across shoppers or products")
	}
	for name, in := range map[string]domain.ReviewInput{
		"rating 0":      {Rating: 0, Text: "x"},
		"rating 6":      {Rating: 6, Text: "x"},
		"empty text":    {Rating: 3, Text: ""},
		"blank text":    {Rating: 3, Text: "\t \n"},
		"too long text": {Rating: 3, Text: strings.Repeat("x", domain.MaxReviewTextLen+1)},
		"control char":  {Rating: 3, Text: "a\x1bb"},
		"invalid UTF-8": {Rating: 3, Text: "\xff"},
	} {
		if _, err := domain.NewReview("p1", "s1", in, now); !errors.Is(err, apperr.ErrValidation) {
			t.Errorf("%s: %v, want a validation error", name, err)
		}
	}
	if _, err := domain.NewReply(strings.Repeat("x", domain.MaxReviewTextLen+1), now); !errors.Is(err, apperr.ErrValidation) {
		t.Errorf("long reply: %v", err)
	}
	for _, id := range []string{"", "x", strings.Repeat("G", 32), strings.Repeat("A", 32)} {
		if domain.ValidReviewID(id) {
			t.Errorf("%q passed as a review id", id)
		}
	}
}

func TestRatingAverage(t *testing.T) {
	for _, tc := range []struct {
		r    domain.Rating
		want float64
	}{
		{domain.Rating{}, 0},
		{domain.Rating{Sum: 4, Count: 1}, 4},
		{domain.Rating{Sum: 14, Count: 3}, 4.67},
		{domain.Rating{Sum: 10, Count: 3}, 3.33},
	} {
		if got := tc.r.Average(); got != tc.want {
			t.Errorf("%+v: average %v, want %v", tc.r, got, tc.want)
		}
	}
}
