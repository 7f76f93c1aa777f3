package domain_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

func eur(n int64) domain.Money { return domain.Money{Amount: n, Currency: "EUR"} }

func TestAllocateAddsUpExactlyAndGivesTheRemainderToTheLargestLines(t *testing.T) {
	cases := []struct {
		name    string
		off     int64
		amounts []int64
		want    []int64
	}{
		// 100 over three equal lines: 33 each, the 1 left to the first.
		{"equal lines", 100, []int64{1000, 1000, 1000}, []int64{34, 33, 33}},
		// 10 over 333/333/334: floors 3/3/3, the 1 left to the largest.
		{"largest first", 10, []int64{333, 333, 334}, []int64{3, 3, 4}},
		{"one line", 250, []int64{999}, []int64{250}},
		{"all of it", 1500, []int64{1000, 500}, []int64{1000, 500}},
		{"more than the lines", 9999, []int64{1000, 500}, []int64{1000, 500}},
		{"nothing off", 0, []int64{1000, 500}, []int64{0, 0}},
		{"a free line takes no share", 7, []int64{0, 5, 5}, []int64{0, 4, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := domain.Allocate(tc.off, tc.amounts)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Allocate(%d, %v) = %v, want %v", tc.off, tc.amounts, got, tc.want)
			}
		})
	}
	// Whatever the split, the shares add up to the discount and no share
	// exceeds its line.
	for off := int64(0); off <= 1234; off += 7 {
		amounts := []int64{617, 1, 305, 305, 6}
		var sum int64
		for i, s := range domain.Allocate(off, amounts) {
			if s < 0 || s > amounts[i] {
				t.Fatalf("off %d: share %d of line %d", off, s, amounts[i])
			}
			sum += s
		}
		if sum != min(off, 1234) {
			t.Fatalf("off %d: shares add up to %d", off, sum)
		}
	}
}

func pricedLines() []domain.Line {
	return []domain.Line{
		{ProductID: "mug", MerchantID: "m1", UnitPrice: eur(1299), Quantity: 2, WeightGrams: 400},
		{ProductID: "tea", MerchantID: "m1", UnitPrice: eur(333), Quantity: 1, WeightGrams: 100},
		{ProductID: "pen", MerchantID: "m2", UnitPrice: eur(500), Quantity: 3, WeightGrams: 20},
	}
}

func TestPriceDiscountsOnlyTheCodesMerchantAndShipsPerMerchant(t *testing.T) {
	p := domain.Pricing{
		Codes: map[string]domain.Discount{"m1": {MerchantID: "m1", Code: "TEN", Kind: domain.DiscountPercentage, Percent: 10, Currency: "EUR"}},
		Rates: map[string]domain.ShippingRates{
			"m1": {MerchantID: "m1", Kind: domain.RateWeightBands, Currency: "EUR", Bands: []domain.WeightBand{
				{FromGrams: 0, ToGrams: 500, Amount: 300}, {FromGrams: 500, ToGrams: 2000, Amount: 650}, {FromGrams: 2000, Amount: 1200}}},
			"m2": {MerchantID: "m2", Kind: domain.RateFreeAbove, Currency: "EUR", Amount: 490, FreeAbove: 1500},
		},
		Now: t0,
	}
	lines, charges := domain.Price(pricedLines(), p)
	// m1: 2598 + 333 = 2931; 10% = 293.1 → 293, split 2598:333 →
	// 259.7/33.3 → floors 259 + 33 = 292, the 1 left to the mug.
	if lines[0].Discount != eur(260) || lines[1].Discount != eur(33) || lines[2].Discount.Amount != 0 {
		t.Fatalf("line discounts %v %v %v", lines[0].Discount, lines[1].Discount, lines[2].Discount)
	}
	if len(charges) != 2 {
		t.Fatalf("charges %+v", charges)
	}
	m1, m2 := charges[0], charges[1]
	// m1 weighs 900 g: the 500–2000 g band.
	if m1.Subtotal != eur(2931) || m1.Discount != eur(293) || m1.WeightGrams != 900 || m1.Shipping != eur(650) || m1.Total() != eur(3288) {
		t.Fatalf("m1 %+v", m1)
	}
	// m2 has no code; 1500 is free above 1500.
	if m2.Discount.Amount != 0 || m2.DiscountCode != "" || m2.Shipping != eur(0) || m2.Total() != eur(1500) {
		t.Fatalf("m2 %+v", m2)
	}
	if got := domain.Total(charges); got != eur(4788) {
		t.Fatalf("total %v", got)
	}
	if domain.ChargesErr(charges) != nil {
		t.Fatal(domain.ChargesErr(charges))
	}
}

func TestPriceFixedCodeNeverExceedsTheMerchantsLines(t *testing.T) {
	p := domain.Pricing{Codes: map[string]domain.Discount{
		"m2": {MerchantID: "m2", Code: "BIG", Kind: domain.DiscountFixed, AmountOff: 100_000, Currency: "EUR"}}, Now: t0}
	lines, charges := domain.Price(pricedLines(), p)
	if charges[1].Discount != eur(1500) || lines[2].Discount != eur(1500) || charges[1].Total().Amount != 0 {
		t.Fatalf("m2 %+v, line %+v", charges[1], lines[2])
	}
	if charges[0].Discount.Amount != 0 || lines[0].Discount.Amount != 0 {
		t.Fatalf("m2's code discounted m1: %+v", charges[0])
	}
}

func TestCodeChecksHaveStableCodes(t *testing.T) {
	base := domain.Discount{MerchantID: "m1", Code: "X10", Kind: domain.DiscountPercentage, Percent: 10, Currency: "EUR",
		StartsAt: t0.Add(-time.Hour), EndsAt: t0.Add(time.Hour), MinSubtotal: 1000, UsageLimit: 10, PerShopperLimit: 1}
	with := func(f func(*domain.Discount)) domain.Discount { d := base; f(&d); return d }
	cases := []struct {
		name     string
		d        domain.Discount
		subtotal domain.Money
		uses     int64
		want     string
	}{
		{"fine", base, eur(1000), 0, ""},
		{"deleted", domain.Discount{Code: "X10"}, eur(1000), 0, domain.CodeDiscountUnknown},
		{"not started", with(func(d *domain.Discount) { d.StartsAt = t0.Add(time.Minute) }), eur(1000), 0, domain.CodeDiscountNotStarted},
		{"expired at its end", with(func(d *domain.Discount) { d.EndsAt = t0 }), eur(1000), 0, domain.CodeDiscountExpired},
		{"used up", with(func(d *domain.Discount) { d.Used = 10 }), eur(1000), 0, domain.CodeDiscountExhausted},
		{"shopper's uses", base, eur(1000), 1, domain.CodeDiscountShopperLimit},
		{"below the minimum", base, eur(999), 0, domain.CodeDiscountMinimumNotMet},
		{"another currency", base, domain.Money{Amount: 5000, Currency: "USD"}, 0, domain.CodeDiscountNotApplicable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Check(tc.subtotal, tc.uses, t0)
			code, _ := domain.ProblemCode(err)
			if code != tc.want || (err != nil && !errors.Is(err, apperr.ErrConflict)) {
				t.Fatalf("Check = %v (code %q), want %q", err, code, tc.want)
			}
		})
	}
}

func TestDiscountValidation(t *testing.T) {
	good := domain.Discount{Code: "SUMMER-10", Kind: domain.DiscountPercentage, Percent: 100, Currency: "EUR"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := map[string]domain.Discount{
		"percent":           {Code: "A10", Kind: domain.DiscountPercentage, Percent: 101, Currency: "EUR"},
		"percent 0":         {Code: "A10", Kind: domain.DiscountPercentage, Percent: 0, Currency: "EUR"},
		"amount_off":        {Code: "A10", Kind: domain.DiscountFixed, AmountOff: -5, Currency: "EUR"},
		"kind":              {Code: "A10", Kind: "bogo", Currency: "EUR"},
		"code":              {Code: "a b", Kind: domain.DiscountFixed, AmountOff: 5, Currency: "EUR"},
		"currency":          {Code: "A10", Kind: domain.DiscountFixed, AmountOff: 5, Currency: "euro"},
		"min_subtotal":      {Code: "A10", Kind: domain.DiscountFixed, AmountOff: 5, Currency: "EUR", MinSubtotal: -1},
		"usage_limit":       {Code: "A10", Kind: domain.DiscountFixed, AmountOff: 5, Currency: "EUR", UsageLimit: -1},
		"per_shopper_limit": {Code: "A10", Kind: domain.DiscountFixed, AmountOff: 5, Currency: "EUR", PerShopperLimit: -1},
		"ends_at":           {Code: "A10", Kind: domain.DiscountFixed, AmountOff: 5, Currency: "EUR", StartsAt: t0, EndsAt: t0},
	}
	for name, d := range bad {
		var v *apperr.ValidationError
		if err := d.Validate(); !errors.As(err, &v) {
			t.Errorf("%s: %v, want a validation error", name, err)
		}
	}
}

func TestRateValidationRefusesOverlapsAndGaps(t *testing.T) {
	bands := func(b ...domain.WeightBand) domain.ShippingRates {
		return domain.ShippingRates{Kind: domain.RateWeightBands, Currency: "EUR", Bands: b}
	}
	good := bands(domain.WeightBand{FromGrams: 0, ToGrams: 1000, Amount: 300}, domain.WeightBand{FromGrams: 1000, Amount: 700})
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		r     domain.ShippingRates
		field string
	}{
		"overlap": {bands(domain.WeightBand{FromGrams: 0, ToGrams: 1000, Amount: 300}, domain.WeightBand{FromGrams: 900, ToGrams: 2000, Amount: 700}), "bands[1].from_grams"},
		"gap":     {bands(domain.WeightBand{FromGrams: 0, ToGrams: 1000, Amount: 300}, domain.WeightBand{FromGrams: 1100, Amount: 700}), "bands[1].from_grams"},
		"descending": {bands(domain.WeightBand{FromGrams: 0, ToGrams: 1000, Amount: 300}, domain.WeightBand{FromGrams: 1000, ToGrams: 500, Amount: 700}),
			"bands[1].to_grams"},
		"not from 0":         {bands(domain.WeightBand{FromGrams: 10, Amount: 300}), "bands[0].from_grams"},
		"open band not last": {bands(domain.WeightBand{FromGrams: 0, Amount: 300}, domain.WeightBand{FromGrams: 0, Amount: 700}), "bands[0].to_grams"},
		"negative price":     {bands(domain.WeightBand{FromGrams: 0, Amount: -1}), "bands[0].amount"},
		"no bands":           {bands(), "bands"},
		"flat with bands":    {domain.ShippingRates{Kind: domain.RateFlat, Currency: "EUR", Amount: 1, Bands: good.Bands}, "bands"},
		"negative flat":      {domain.ShippingRates{Kind: domain.RateFlat, Currency: "EUR", Amount: -1}, "amount"},
		"unknown kind":       {domain.ShippingRates{Kind: "pigeon", Currency: "EUR"}, "kind"},
	}
	for name, tc := range cases {
		var v *apperr.ValidationError
		if err := tc.r.Validate(); !errors.As(err, &v) || !slices.ContainsFunc(v.Fields, func(f apperr.FieldError) bool { return f.Field == tc.field }) {
			t.Errorf("%s: %v, want an error on %s", name, err, tc.field)
		}
	}
}

func TestQuote(t *testing.T) {
	bounded := domain.ShippingRates{MerchantID: "m1", Kind: domain.RateWeightBands, Currency: "EUR",
		Bands: []domain.WeightBand{{FromGrams: 0, ToGrams: 1000, Amount: 300}, {FromGrams: 1000, ToGrams: 2000, Amount: 700}}}
	for grams, want := range map[int64]int64{0: 300, 999: 300, 1000: 700, 1999: 700} {
		if got, err := bounded.Quote(eur(1), grams); err != nil || got != eur(want) {
			t.Errorf("%d g: %v %v, want %d", grams, got, err, want)
		}
	}
	if _, err := bounded.Quote(eur(1), 2000); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("beyond the last band: %v", err)
	}
	if code, _ := domain.ProblemCode(func() error { _, err := bounded.Quote(domain.Money{Amount: 1, Currency: "USD"}, 1); return err }()); code != domain.CodeShippingUnavailable {
		t.Errorf("another currency: code %q", code)
	}
	if got, err := (domain.ShippingRates{}).Quote(eur(5000), 99999); err != nil || got != eur(0) {
		t.Errorf("no table: %v %v", got, err)
	}
	flat := domain.ShippingRates{Kind: domain.RateFlat, Currency: "EUR", Amount: 495}
	if got, _ := flat.Quote(eur(1_000_000), 1); got != eur(495) {
		t.Errorf("flat: %v", got)
	}
}

func TestNewOrderTotalsTheCharges(t *testing.T) {
	lines, charges := domain.Price(pricedLines(), domain.Pricing{
		Rates: map[string]domain.ShippingRates{"m2": {Kind: domain.RateFlat, Currency: "EUR", Amount: 450}}, Now: t0})
	out, err := domain.NewOrder("o1", "s1", validRequest(), lines, charges, t0, deadline)
	if err != nil || out.Order.Total != eur(2931+1500+450) {
		t.Fatalf("total %v, %v", out.Order.Total, err)
	}
	charges[0].ShippingErr = &domain.Problem{Code: domain.CodeShippingUnavailable, Message: "too heavy"}
	if _, err := domain.NewOrder("o1", "s1", validRequest(), lines, charges, t0, deadline); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("a shipment without a quote: %v", err)
	}
}
