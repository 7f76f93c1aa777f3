package seed

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestHistoryVisitsAreValidPastEventsOfOneShop(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	shop := []listedProduct{{ID: "p1", MerchantID: "m1"}, {ID: "p2", MerchantID: "m1"}}
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := map[string]int{}
	for range 500 {
		at := visitTime(rng, now)
		if !at.Before(now) || at.Before(now.Add(-25*time.Hour)) {
			t.Fatalf("visit at %s, not in the day before %s", at, now)
		}
		evs := visit(rng, shop, at)
		if len(evs) == 0 || len(evs) > 50 {
			t.Fatalf("a visit of %d events", len(evs))
		}
		for _, e := range evs {
			kinds[e.Type]++
			if e.MerchantID != "m1" || !e.Time.Before(now) {
				t.Fatalf("event %+v", e)
			}
			if e.Type == "search" && (e.Results == nil || e.Query == "") {
				t.Fatalf("search without query or results: %+v", e)
			}
		}
	}
	for _, k := range []string{"product_viewed", "added_to_cart", "checkout_started", "search"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in 500 visits: %v", k, kinds)
		}
	}
	if kinds["product_viewed"] <= kinds["added_to_cart"] || kinds["added_to_cart"] <= kinds["checkout_started"] {
		t.Errorf("not a funnel: %v", kinds)
	}
}
