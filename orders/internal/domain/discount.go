package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// DiscountKind is how a code takes money off.
type DiscountKind string

// Discount kinds.
const (
	// DiscountPercentage takes Percent % (1–100) off the merchant's subtotal,
	// rounded down to the minor unit.
	DiscountPercentage DiscountKind = "percentage"
	// DiscountFixed takes AmountOff off, at most the merchant's subtotal.
	DiscountFixed DiscountKind = "fixed"
)

// Discount limits.
const (
	// MaxDiscountAmount bounds a fixed amount and a minimum subtotal.
	MaxDiscountAmount = 100_000_000
	// MaxUsageLimit bounds the usage limits.
	MaxUsageLimit = 1_000_000
)

// codePattern is a normalised (upper-case) code: usable in document ids.
var codePattern = regexp.MustCompile(`^[A-Z0-9_-]{3,32}$`)

// NormalizeCode upper-cases and trims a code as typed by a shopper or a
// merchant; codes are case-insensitive.
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// ValidateCode checks a normalised code.
func ValidateCode(code string) error {
	if !codePattern.MatchString(code) {
		return apperr.Validation(apperr.FieldError{Field: "code", Message: "must be 3 to 32 letters, digits, - or _"})
	}
	return nil
}

// Discount is a merchant's discount code. It applies to that merchant's
// lines of a cart only.
type Discount struct {
	MerchantID string
	// Code is normalised (NormalizeCode).
	Code string
	Kind DiscountKind
	// Percent is DiscountPercentage's 1–100.
	Percent int64
	// AmountOff is DiscountFixed's amount, in Currency.
	AmountOff int64
	// Currency is the currency of AmountOff and MinSubtotal; a cart in
	// another currency cannot use the code.
	Currency string
	// MinSubtotal is the least the merchant's lines must come to (0: none).
	MinSubtotal int64
	// StartsAt and EndsAt bound when the code works (zero: open).
	StartsAt time.Time
	EndsAt   time.Time
	// UsageLimit bounds the orders that use it (0: unlimited);
	// PerShopperLimit bounds one shopper's orders (0: unlimited).
	UsageLimit      int64
	PerShopperLimit int64
	// Used counts the orders that hold a use (cancelled ones gave it back).
	Used      int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks a code as a merchant sets it.
func (d Discount) Validate() error {
	v := &apperr.ValidationError{}
	if !codePattern.MatchString(d.Code) {
		v.Add("code", "must be 3 to 32 letters, digits, - or _")
	}
	if !currencyPattern.MatchString(d.Currency) {
		v.Add("currency", "must be an ISO 4217 code such as EUR")
	}
	switch d.Kind {
	case DiscountPercentage:
		if d.Percent < 1 || d.Percent > 100 {
			v.Add("percent", "must be an integer from 1 to 100")
		}
		if d.AmountOff != 0 {
			v.Add("amount_off", "is not used by kind percentage")
		}
	case DiscountFixed:
		if d.AmountOff < 1 || d.AmountOff > MaxDiscountAmount {
			v.Add("amount_off", fmt.Sprintf("must be 1 to %d minor units", MaxDiscountAmount))
		}
		if d.Percent != 0 {
			v.Add("percent", "is not used by kind fixed")
		}
	default:
		v.Add("kind", "must be percentage or fixed")
	}
	if d.MinSubtotal < 0 || d.MinSubtotal > MaxDiscountAmount {
		v.Add("min_subtotal", fmt.Sprintf("must be 0 to %d minor units", MaxDiscountAmount))
	}
	if !d.StartsAt.IsZero() && !d.EndsAt.IsZero() && !d.EndsAt.After(d.StartsAt) {
		v.Add("ends_at", "must be after starts_at")
	}
	if d.UsageLimit < 0 || d.UsageLimit > MaxUsageLimit {
		v.Add("usage_limit", fmt.Sprintf("must be 0 (unlimited) to %d", MaxUsageLimit))
	}
	if d.PerShopperLimit < 0 || d.PerShopperLimit > MaxUsageLimit {
		v.Add("per_shopper_limit", fmt.Sprintf("must be 0 (unlimited) to %d", MaxUsageLimit))
	}
	return v.Err()
}

// Check tells whether the code can discount a merchant subtotal at now for
// a shopper who already holds shopperUses of it; the error is a *Problem
// with a stable code.
func (d Discount) Check(subtotal Money, shopperUses int64, now time.Time) error {
	switch {
	case d.Kind == "": // a code applied to the cart and deleted since
		return problem(CodeDiscountUnknown, "code %s does not exist", d.Code)
	case !d.StartsAt.IsZero() && now.Before(d.StartsAt):
		return problem(CodeDiscountNotStarted, "code %s works from %s", d.Code, d.StartsAt.Format(time.RFC3339))
	case !d.EndsAt.IsZero() && !now.Before(d.EndsAt):
		return problem(CodeDiscountExpired, "code %s expired at %s", d.Code, d.EndsAt.Format(time.RFC3339))
	case d.UsageLimit > 0 && d.Used >= d.UsageLimit:
		return problem(CodeDiscountExhausted, "code %s has been used up", d.Code)
	case d.PerShopperLimit > 0 && shopperUses >= d.PerShopperLimit:
		return problem(CodeDiscountShopperLimit, "code %s can be used at most %d times per shopper", d.Code, d.PerShopperLimit)
	case subtotal.Currency != "" && subtotal.Currency != d.Currency:
		return problem(CodeDiscountNotApplicable, "code %s applies to carts priced in %s", d.Code, d.Currency)
	case subtotal.Amount < d.MinSubtotal:
		return problem(CodeDiscountMinimumNotMet, "code %s needs %d %s of this merchant's products", d.Code, d.MinSubtotal, d.Currency)
	}
	return nil
}

// Off is what the code takes off a merchant subtotal: Percent % rounded
// down, or AmountOff, never more than the subtotal.
func (d Discount) Off(subtotal int64) int64 {
	if subtotal <= 0 {
		return 0
	}
	if d.Kind == DiscountPercentage {
		return mulDiv(subtotal, d.Percent, 100)
	}
	return min(d.AmountOff, subtotal)
}
