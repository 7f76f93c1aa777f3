package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"time"
)

// A day of storefront history for the merchant dashboards, sent through the
// same ingestion endpoint the storefront uses (POST /api/v1/events): one
// batch per simulated visit, with the visit's own past times, so the
// dashboards open on a day of views, carts, checkouts and searches.
// Sales cannot be back-dated (they come from real checkouts), so the
// funnel's last step starts today.

// historyVisits is the number of simulated visits over the last 24 hours.
const historyVisits = 900

// zeroQueries are searches that find nothing in the demo catalog.
var zeroQueries = []string{"umbrella stand", "vinyl records", "dog bed", "espresso machine", "hiking boots", "yoga mat"}

type behaviourEvent struct {
	Type       string    `json:"type"`
	Time       time.Time `json:"time"`
	MerchantID string    `json:"merchant_id,omitempty"`
	ProductID  string    `json:"product_id,omitempty"`
	Quantity   int64     `json:"quantity,omitempty"`
	Query      string    `json:"query,omitempty"`
	Results    *int64    `json:"results,omitempty"`
}

type listedProduct struct {
	ID          string `json:"id"`
	MerchantID  string `json:"merchant_id"`
	SKU         string `json:"sku"`
	WeightGrams int64  `json:"weight_grams"`
}

// shopProducts lists a merchant's products (the seed's shops have 20).
func (c *client) shopProducts(ctx context.Context, token string) ([]listedProduct, error) {
	var page struct {
		Items []listedProduct `json:"items"`
	}
	if _, err := c.call(ctx, http.MethodGet, "/api/v1/merchant/products?limit=100", token, nil, &page); err != nil {
		return nil, err
	}
	return page.Items, nil
}

// hasHistory reports whether the merchant's dashboard already counts
// views today or yesterday (the history was sent before).
func (c *client) hasHistory(ctx context.Context, token string) (bool, error) {
	var d struct {
		Today     struct{ Views int64 } `json:"today"`
		Yesterday struct{ Views int64 } `json:"yesterday"`
	}
	if _, err := c.call(ctx, http.MethodGet, "/api/v1/merchant/analytics/dashboard", token, nil, &d); err != nil {
		return false, err
	}
	return d.Today.Views+d.Yesterday.Views > 0, nil
}

// sendHistory sends historyVisits visits over the day before now to the
// shops' products, deterministically, and returns the number of events.
func (c *client) sendHistory(ctx context.Context, shops [][]listedProduct, now time.Time) (int, error) {
	rng := rand.New(rand.NewPCG(15, 2026)) //nolint:gosec // demo data: the same history on every run, nothing secret
	sent := 0
	for v := range historyVisits {
		at := visitTime(rng, now)
		shop := shops[rng.IntN(len(shops))]
		if len(shop) == 0 {
			continue
		}
		evs := visit(rng, shop, at)
		body := map[string]any{"session_id": fmt.Sprintf("seed-visit-%06d", v), "events": evs}
		if _, err := c.call(ctx, http.MethodPost, "/api/v1/events", "", body, nil); err != nil {
			return sent, fmt.Errorf("seed: history visit %d: %w", v, err)
		}
		sent += len(evs)
	}
	return sent, nil
}

// visitTime draws a time in the 24 hours before now, busier in the
// afternoon and evening (UTC) than at night.
func visitTime(rng *rand.Rand, now time.Time) time.Time {
	for {
		back := time.Duration(rng.Int64N(int64(24 * time.Hour)))
		at := now.Add(-back - 10*time.Minute) // a visit lasts a few minutes: it ends in the past
		hour := float64(at.UTC().Hour()) + float64(at.UTC().Minute())/60
		weight := 0.25 + 0.75*math.Pow(math.Sin(math.Pi*hour/24), 2)
		if rng.Float64() < weight {
			return at
		}
	}
}

// visit is one shopper's few minutes on one shop: views, perhaps a search,
// a cart, a checkout.
func visit(rng *rand.Rand, shop []listedProduct, at time.Time) []behaviourEvent {
	var evs []behaviourEvent
	step := func() time.Time { at = at.Add(time.Duration(5+rng.IntN(40)) * time.Second); return at }
	merchant := shop[0].MerchantID
	if rng.IntN(4) == 0 {
		q, results := "lamp", int64(1+rng.IntN(5))
		if rng.IntN(3) == 0 {
			q, results = zeroQueries[rng.IntN(len(zeroQueries))], 0
		}
		evs = append(evs, behaviourEvent{Type: "search", Time: step(), MerchantID: merchant, Query: q, Results: &results})
	}
	viewed := shop[rng.IntN(len(shop))]
	for range 1 + rng.IntN(5) {
		viewed = shop[rng.IntN(min(len(shop), 8))] // a few favourites get most views
		evs = append(evs, behaviourEvent{Type: "product_viewed", Time: step(), MerchantID: merchant, ProductID: viewed.ID})
	}
	if rng.IntN(3) == 0 {
		evs = append(evs, behaviourEvent{Type: "added_to_cart", Time: step(), MerchantID: merchant, ProductID: viewed.ID, Quantity: int64(1 + rng.IntN(2))})
		if rng.IntN(2) == 0 {
			evs = append(evs, behaviourEvent{Type: "checkout_started", Time: step(), MerchantID: merchant})
		}
	}
	return evs
}

// history sends the day of history unless the first shop's dashboard
// already has one; it reports the number of events sent.
func (c *client) history(ctx context.Context, tokens []string) (int, error) {
	if len(tokens) == 0 {
		return 0, nil
	}
	done, err := c.hasHistory(ctx, tokens[0])
	if err != nil || done {
		return 0, err
	}
	shops := make([][]listedProduct, 0, len(tokens))
	for _, token := range tokens {
		products, err := c.shopProducts(ctx, token)
		if err != nil {
			return 0, err
		}
		shops = append(shops, products)
	}
	sent, err := c.sendHistory(ctx, shops, time.Now())
	if err != nil {
		return sent, err
	}
	// Wait (bounded) until the dashboards count it, so the banner comes when
	// the history shows and a second run sees it and sends nothing.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if done, err := c.hasHistory(ctx, tokens[0]); err != nil || done {
			return sent, err
		}
		if err := backoff(ctx, 1, 0); err != nil {
			return sent, err
		}
	}
	return sent, fmt.Errorf("the dashboards did not show the history within a minute")
}
