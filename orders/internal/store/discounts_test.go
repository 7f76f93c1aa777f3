package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// openPricing returns the code and rate stores on a fresh database.
func openPricing(t *testing.T) (*store.Discounts, *store.Rates) {
	t.Helper()
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 8})
	return store.OpenPricing(db)
}

func code(limit, perShopper int64) domain.Discount {
	return domain.Discount{MerchantID: "m1", Code: "RACE10", Kind: domain.DiscountPercentage, Percent: 10, Currency: "EUR",
		UsageLimit: limit, PerShopperLimit: perShopper, CreatedAt: base, UpdatedAt: base}
}

func problemCode(err error) string {
	c, _ := domain.ProblemCode(err)
	return c
}

// 100 shoppers race for a code with 10 uses: exactly 10 get one, the
// others are told it is used up, and the code counts 10 uses held by 10
// orders.
func TestClaimsOfACodeHoldItsUsageLimitUnderConcurrency(t *testing.T) {
	codes, _ := openPricing(t)
	ctx := context.Background()
	d := code(10, 1)
	if err := codes.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	var won, exhausted atomic.Int64
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			fresh, err := codes.Claim(ctx, d, fmt.Sprintf("order-%03d", i), fmt.Sprintf("shopper-%03d", i))
			switch {
			case err == nil && fresh:
				won.Add(1)
			case problemCode(err) == domain.CodeDiscountExhausted:
				exhausted.Add(1)
			default:
				t.Errorf("claim %d: fresh %v, %v", i, fresh, err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 10 || exhausted.Load() != 90 {
		t.Fatalf("%d claims won, %d exhausted; want 10 and 90", won.Load(), exhausted.Load())
	}
	got, err := codes.Get(ctx, "m1", "RACE10")
	if err != nil || got.Used != 10 {
		t.Fatalf("used %d, %v", got.Used, err)
	}
	// The losers' shopper uses were given back.
	var held int64
	for i := range 100 {
		n, err := codes.ShopperUses(ctx, "m1", "RACE10", fmt.Sprintf("shopper-%03d", i))
		if err != nil {
			t.Fatal(err)
		}
		held += n
	}
	if held != 10 {
		t.Fatalf("shoppers hold %d uses, want 10", held)
	}
}

func TestClaimAndReleaseAreIdempotentPerOrder(t *testing.T) {
	codes, _ := openPricing(t)
	ctx := context.Background()
	d := code(2, 1)
	if err := codes.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	if fresh, err := codes.Claim(ctx, d, "o1", "s1"); err != nil || !fresh {
		t.Fatalf("first claim: %v %v", fresh, err)
	}
	// The same order again (a replay, a concurrent request with its key).
	if fresh, err := codes.Claim(ctx, d, "o1", "s1"); err != nil || fresh {
		t.Fatalf("claim again: %v %v", fresh, err)
	}
	// The same shopper's second order hits the per-shopper limit, and
	// takes nothing of the code's.
	if _, err := codes.Claim(ctx, d, "o2", "s1"); problemCode(err) != domain.CodeDiscountShopperLimit {
		t.Fatalf("second order of s1: %v", err)
	}
	if got, _ := codes.Get(ctx, "m1", d.Code); got.Used != 1 {
		t.Fatalf("used %d after a refused claim, want 1", got.Used)
	}
	// A release (twice: a redelivered cancel) gives the use back once.
	for range 2 {
		if err := codes.Release(ctx, "m1", d.Code, "o1", "s1"); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := codes.Get(ctx, "m1", d.Code); got.Used != 0 {
		t.Fatalf("used %d after release, want 0", got.Used)
	}
	if n, _ := codes.ShopperUses(ctx, "m1", d.Code, "s1"); n != 0 {
		t.Fatalf("s1 holds %d uses after release", n)
	}
	if fresh, err := codes.Claim(ctx, d, "o2", "s1"); err != nil || !fresh {
		t.Fatalf("claim after release: %v %v", fresh, err)
	}
	// A deleted code cannot be claimed.
	if err := codes.Delete(ctx, "m1", d.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := codes.Claim(ctx, d, "o3", "s3"); problemCode(err) != domain.CodeDiscountUnknown {
		t.Fatalf("claim of a deleted code: %v", err)
	}
	if err := codes.Release(ctx, "m1", d.Code, "o2", "s1"); err != nil {
		t.Fatalf("release of a deleted code: %v", err)
	}
}

func TestCodesAreKeptPerMerchantAndListedNewestFirst(t *testing.T) {
	codes, _ := openPricing(t)
	ctx := context.Background()
	for i, c := range []string{"AAA", "BBB", "CCC"} {
		d := code(0, 0)
		d.Code, d.CreatedAt = c, base.Add(time.Duration(i)*time.Second)
		if err := codes.Create(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	other := code(0, 0)
	other.MerchantID, other.Code = "m2", "AAA"
	if err := codes.Create(ctx, other); err != nil {
		t.Fatalf("another merchant's code of the same name: %v", err)
	}
	if err := codes.Create(ctx, code(0, 0)); err != nil {
		t.Fatal(err)
	}
	again := code(5, 0)
	if err := codes.Create(ctx, again); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("creating a code twice: %v", err)
	}
	first, err := codes.List(ctx, "m1", "", 2)
	if err != nil || len(first) != 2 || first[0].Code != "RACE10" || first[1].Code != "CCC" {
		t.Fatalf("first page %+v %v", first, err)
	}
	rest, err := codes.List(ctx, "m1", first[1].Code, 10)
	if err != nil || len(rest) != 2 || rest[0].Code != "BBB" || rest[1].Code != "AAA" || rest[1].MerchantID != "m1" {
		t.Fatalf("second page %+v %v", rest, err)
	}
	upd := code(7, 2)
	upd.Code, upd.Percent = "BBB", 25
	if err := codes.Update(ctx, upd); err != nil {
		t.Fatal(err)
	}
	if got, _ := codes.Get(ctx, "m1", "BBB"); got.Percent != 25 || got.UsageLimit != 7 || got.PerShopperLimit != 2 {
		t.Fatalf("after update %+v", got)
	}
	upd.Code = "NOPE"
	if err := codes.Update(ctx, upd); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("update of a missing code: %v", err)
	}
	if err := codes.Delete(ctx, "m1", "BBB"); err != nil {
		t.Fatal(err)
	}
	if all, _ := codes.List(ctx, "m1", "", 10); len(all) != 3 {
		t.Fatalf("after delete %+v", all)
	}
	if _, err := codes.Get(ctx, "m2", "BBB"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("m2 sees m1's code: %v", err)
	}
}

func TestRatesPerMerchant(t *testing.T) {
	_, rates := openPricing(t)
	ctx := context.Background()
	r := domain.ShippingRates{MerchantID: "m1", Kind: domain.RateWeightBands, Currency: "EUR", UpdatedAt: base,
		Bands: []domain.WeightBand{{FromGrams: 0, ToGrams: 1000, Amount: 390}, {FromGrams: 1000, Amount: 990}}}
	if err := rates.Put(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := rates.Get(ctx, "m1")
	if err != nil || got.Kind != r.Kind || len(got.Bands) != 2 || got.Bands[1] != r.Bands[1] {
		t.Fatalf("got %+v %v", got, err)
	}
	flat := domain.ShippingRates{MerchantID: "m1", Kind: domain.RateFlat, Currency: "EUR", Amount: 490, UpdatedAt: base}
	if err := rates.Put(ctx, flat); err != nil {
		t.Fatal(err)
	}
	of, err := rates.Of(ctx, []string{"m1", "m2"})
	if err != nil || len(of) != 1 || of["m1"].Amount != 490 || len(of["m1"].Bands) != 0 {
		t.Fatalf("of %+v %v", of, err)
	}
	if err := rates.Delete(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if _, err := rates.Get(ctx, "m1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := rates.Delete(ctx, "m1"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

// Claiming, releasing and reading codes and rates are lookups by _id.
func TestPricingCallsAreIndexedLookupsByID(t *testing.T) {
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 8})
	codes, rates := store.OpenPricing(db)
	ctx := context.Background()
	d := code(10, 1)
	if err := codes.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := rates.Put(ctx, domain.ShippingRates{MerchantID: "m1", Kind: domain.RateFlat, Currency: "EUR", Amount: 1}); err != nil {
		t.Fatal(err)
	}
	embeddedtest.AssertHotPathIndexed(t, db, func() {
		if _, err := rates.Of(ctx, []string{"m1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := codes.Get(ctx, "m1", d.Code); err != nil {
			t.Fatal(err)
		}
		if _, err := codes.ShopperUses(ctx, "m1", d.Code, "s1"); err != nil {
			t.Fatal(err)
		}
		if _, err := codes.Claim(ctx, d, "o1", "s1"); err != nil {
			t.Fatal(err)
		}
		if err := codes.Release(ctx, "m1", d.Code, "o1", "s1"); err != nil {
			t.Fatal(err)
		}
	})
}

// A claim judged against a usage limit the merchant changed since is
// judged again against the new one.
func TestClaimsFollowAChangedUsageLimit(t *testing.T) {
	codes, _ := openPricing(t)
	ctx := context.Background()
	stale := code(2, 0)
	if err := codes.Create(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if _, err := codes.Claim(ctx, stale, "o1", "s1"); err != nil {
		t.Fatal(err)
	}
	lowered := code(1, 0)
	if err := codes.Update(ctx, lowered); err != nil {
		t.Fatal(err)
	}
	if _, err := codes.Claim(ctx, stale, "o2", "s2"); problemCode(err) != domain.CodeDiscountExhausted {
		t.Fatalf("claim under a lowered limit: %v", err)
	}
	if err := codes.Update(ctx, code(0, 0)); err != nil { // unlimited now
		t.Fatal(err)
	}
	if fresh, err := codes.Claim(ctx, lowered, "o2", "s2"); err != nil || !fresh {
		t.Fatalf("claim under a lifted limit: %v %v", fresh, err)
	}
	if got, _ := codes.Get(ctx, "m1", stale.Code); got.Used != 2 {
		t.Fatalf("used %d, want 2", got.Used)
	}
}
