package domain

import (
	"fmt"
	"regexp"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// RateKind is how a merchant charges shipping.
type RateKind string

// Rate kinds.
const (
	// RateFlat charges Amount per shipment.
	RateFlat RateKind = "flat"
	// RateFreeAbove charges Amount unless the merchant's subtotal (after
	// its discount) is at least FreeAbove.
	RateFreeAbove RateKind = "free_above"
	// RateWeightBands charges the price of the band the shipment's weight
	// falls in.
	RateWeightBands RateKind = "weight_bands"
)

// Rate table limits.
const (
	// MaxBands is the most weight bands a rate table has.
	MaxBands = 20
	// MaxShippingAmount bounds any shipping price or threshold (minor units).
	MaxShippingAmount = 100_000_000
	// MaxWeightGrams bounds a band's limits (1,000 t).
	MaxWeightGrams = 1_000_000_000
)

// currencyPattern is an ISO 4217 code.
var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// WeightBand prices the shipments weighing FromGrams or more and less than
// ToGrams; ToGrams 0 (only in the last band) has no upper limit.
type WeightBand struct {
	FromGrams int64
	ToGrams   int64
	Amount    int64
}

// ShippingRates is one merchant's rate table. A merchant without one ships
// for free.
type ShippingRates struct {
	MerchantID string
	Kind       RateKind
	Currency   string
	// Amount is the price of RateFlat and RateFreeAbove.
	Amount int64
	// FreeAbove is RateFreeAbove's threshold.
	FreeAbove int64
	// Bands are RateWeightBands' bands: contiguous and ascending from 0 g.
	Bands     []WeightBand
	UpdatedAt time.Time
}

// Validate checks a rate table a merchant sets: the kind's own fields only,
// amounts from 0, and for weight bands contiguous ascending ranges from 0 g
// that neither overlap nor leave gaps.
func (r ShippingRates) Validate() error {
	v := &apperr.ValidationError{}
	if !currencyPattern.MatchString(r.Currency) {
		v.Add("currency", "must be an ISO 4217 code such as EUR")
	}
	amount := func(field string, n int64) {
		if n < 0 || n > MaxShippingAmount {
			v.Add(field, fmt.Sprintf("must be 0 to %d minor units", MaxShippingAmount))
		}
	}
	notFor := func(field string, set bool) {
		if set {
			v.Add(field, fmt.Sprintf("is not used by kind %s", r.Kind))
		}
	}
	switch r.Kind {
	case RateFlat:
		amount("amount", r.Amount)
		notFor("free_above", r.FreeAbove != 0)
		notFor("bands", len(r.Bands) > 0)
	case RateFreeAbove:
		amount("amount", r.Amount)
		amount("free_above", r.FreeAbove)
		notFor("bands", len(r.Bands) > 0)
	case RateWeightBands:
		notFor("amount", r.Amount != 0)
		notFor("free_above", r.FreeAbove != 0)
		validateBands(v, r.Bands)
	default:
		v.Add("kind", "must be flat, free_above or weight_bands")
	}
	return v.Err()
}

func validateBands(v *apperr.ValidationError, bands []WeightBand) {
	if len(bands) == 0 || len(bands) > MaxBands {
		v.Add("bands", fmt.Sprintf("must hold 1 to %d bands", MaxBands))
		return
	}
	next := int64(0)
	for i, b := range bands {
		field := fmt.Sprintf("bands[%d]", i)
		switch {
		case b.FromGrams < next:
			v.Add(field+".from_grams", fmt.Sprintf("overlaps the previous band, which ends at %d g", next))
		case b.FromGrams > next:
			v.Add(field+".from_grams", fmt.Sprintf("must be %d: bands are contiguous from 0 g", next))
		}
		last := i == len(bands)-1
		switch {
		case b.ToGrams == 0 && !last:
			v.Add(field+".to_grams", "is required except in the last band")
		case b.ToGrams != 0 && (b.ToGrams <= b.FromGrams || b.ToGrams > MaxWeightGrams):
			v.Add(field+".to_grams", fmt.Sprintf("must be above from_grams and at most %d", MaxWeightGrams))
		}
		if b.Amount < 0 || b.Amount > MaxShippingAmount {
			v.Add(field+".amount", fmt.Sprintf("must be 0 to %d minor units", MaxShippingAmount))
		}
		next = b.ToGrams
	}
}

// Quote is the shipping price of one merchant's shipment: subtotal is the
// merchant's lines after its discount, grams their weight. A shipment
// heavier than the last bounded band, or a cart in another currency than
// the table, cannot be quoted (a *Problem, 409 shipping_unavailable).
func (r ShippingRates) Quote(subtotal Money, grams int64) (Money, error) {
	if r.Kind == "" { // no table: free shipping
		return Money{Currency: subtotal.Currency}, nil
	}
	if r.Currency != subtotal.Currency {
		return Money{}, problem(CodeShippingUnavailable, "merchant %s ships only to carts priced in %s", r.MerchantID, r.Currency)
	}
	switch r.Kind {
	case RateFlat:
		return Money{r.Amount, r.Currency}, nil
	case RateFreeAbove:
		if subtotal.Amount >= r.FreeAbove {
			return Money{Currency: r.Currency}, nil
		}
		return Money{r.Amount, r.Currency}, nil
	case RateWeightBands:
		for _, b := range r.Bands {
			if grams >= b.FromGrams && (b.ToGrams == 0 || grams < b.ToGrams) {
				return Money{b.Amount, r.Currency}, nil
			}
		}
	}
	return Money{}, problem(CodeShippingUnavailable, "merchant %s does not ship %d g", r.MerchantID, grams)
}
