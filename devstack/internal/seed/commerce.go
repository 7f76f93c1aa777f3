package seed

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// What every demo shop sells with (issue 18): a welcome code and shipping
// priced by weight, in the store currency. Products carry their weights
// (Product.WeightGrams), which the bands price.

// Currency is the demo's store currency (the catalog's STORE_CURRENCY default).
const Currency = "USD"

// WelcomeCode is the percentage code of every demo shop, valid for a year
// from the first seed, with generous limits.
var WelcomeCode = struct {
	Code            string
	Percent         int64
	UsageLimit      int64
	PerShopperLimit int64
	ValidFor        time.Duration
}{Code: "WELCOME10", Percent: 10, UsageLimit: 10_000, PerShopperLimit: 20, ValidFor: 365 * 24 * time.Hour}

// Band is a weight band of the demo shipping rates: [FromGrams, ToGrams),
// ToGrams 0 for the open last band; Amount in minor units.
type Band struct {
	FromGrams int64 `json:"from_grams"`
	ToGrams   int64 `json:"to_grams,omitempty"`
	Amount    int64 `json:"amount"`
}

// ShippingBands are every demo shop's weight-band rates: up to 1 kg 4.90,
// up to 5 kg 9.90, heavier 19.90.
var ShippingBands = []Band{
	{FromGrams: 0, ToGrams: 1000, Amount: 490},
	{FromGrams: 1000, ToGrams: 5000, Amount: 990},
	{FromGrams: 5000, Amount: 1990},
}

type discountRequest struct {
	Code            string    `json:"code"`
	Kind            string    `json:"kind"`
	Percent         int64     `json:"percent"`
	Currency        string    `json:"currency"`
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	UsageLimit      int64     `json:"usage_limit"`
	PerShopperLimit int64     `json:"per_shopper_limit"`
}

type ratesRequest struct {
	Kind     string `json:"kind"`
	Currency string `json:"currency"`
	Bands    []Band `json:"bands"`
}

// commerceSetup is what commerce created for one shop.
type commerceSetup struct {
	code, rates bool
	weights     int
}

// commerce gives the shop of token its welcome code and shipping rates
// unless it has them (a merchant's own changes survive a second run), and
// the seed's weights to its seed products that have none (products seeded
// before weights existed). now starts the code's validity.
func (c *client) commerce(ctx context.Context, token string, m Merchant, now time.Time) (commerceSetup, error) {
	var out commerceSetup
	start := now.UTC().Truncate(time.Second)
	status, err := c.call(ctx, http.MethodPost, "/api/v1/merchant/discounts", token, discountRequest{
		Code: WelcomeCode.Code, Kind: "percentage", Percent: WelcomeCode.Percent, Currency: Currency,
		StartsAt: start, EndsAt: start.Add(WelcomeCode.ValidFor),
		UsageLimit: WelcomeCode.UsageLimit, PerShopperLimit: WelcomeCode.PerShopperLimit,
	}, nil)
	if err != nil {
		return out, fmt.Errorf("discount code: %w", err)
	}
	out.code = status == http.StatusCreated // 409: the shop has the code already

	status, err = c.call(ctx, http.MethodGet, "/api/v1/merchant/shipping", token, nil, nil)
	switch {
	case status == http.StatusNotFound: // no table yet
		if _, err := c.call(ctx, http.MethodPut, "/api/v1/merchant/shipping", token,
			ratesRequest{Kind: "weight_bands", Currency: Currency, Bands: ShippingBands}, nil); err != nil {
			return out, fmt.Errorf("shipping rates: %w", err)
		}
		out.rates = true
	case err != nil:
		return out, fmt.Errorf("shipping rates: %w", err)
	}

	out.weights, err = c.backfillWeights(ctx, token, m)
	return out, err
}

// backfillWeights sets the seed's weight on every seed product of m that
// weighs nothing and returns how many it set.
func (c *client) backfillWeights(ctx context.Context, token string, m Merchant) (int, error) {
	want := map[string]int64{}
	for i, p := range m.Products {
		want[sku(m, i)] = p.WeightGrams
	}
	products, err := c.shopProducts(ctx, token)
	if err != nil {
		return 0, fmt.Errorf("list products: %w", err)
	}
	set := 0
	for _, p := range products {
		w := want[p.SKU]
		if w == 0 || p.WeightGrams != 0 {
			continue
		}
		if _, err := c.call(ctx, http.MethodPatch, "/api/v1/merchant/products/"+p.ID, token, map[string]int64{"weight_grams": w}, nil); err != nil {
			return set, fmt.Errorf("weight of %s: %w", p.SKU, err)
		}
		set++
	}
	return set, nil
}

// sku is the SKU of m's i-th seed product.
func sku(m Merchant, i int) string { return fmt.Sprintf("%s-%03d", m.SKUPrefix, i+1) }
