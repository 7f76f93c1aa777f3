package domain

import (
	"errors"
	"fmt"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// Stable problem codes of discount and shipping conflicts (409). They refine
// apperr.ErrConflict: the API shows Code instead of "conflict".
const (
	CodeDiscountUnknown       = "discount_unknown"
	CodeDiscountNotStarted    = "discount_not_started"
	CodeDiscountExpired       = "discount_expired"
	CodeDiscountExhausted     = "discount_exhausted"
	CodeDiscountShopperLimit  = "discount_shopper_limit_reached"
	CodeDiscountMinimumNotMet = "discount_minimum_not_met"
	CodeDiscountNotApplicable = "discount_not_applicable"
	CodeShippingUnavailable   = "shipping_unavailable"
)

// CodeVariantRequired is the stable code of a cart put of a product that
// has variants (400): the shopper must choose one of its variants, whose
// id is what goes into the cart.
const CodeVariantRequired = "variant_required"

// Problem is an error with a stable code of its own. It matches its Kind,
// apperr.ErrConflict when Kind is nil.
type Problem struct {
	Code    string
	Message string
	// Kind decides the status (an apperr kind or an *apperr.ValidationError,
	// whose field errors the answer lists); nil is apperr.ErrConflict.
	Kind error
}

func (p *Problem) Error() string { return p.Message }

// ProblemCode is the stable code the answer shows (apperr.Coder).
func (p *Problem) ProblemCode() string { return p.Code }

// Unwrap makes errors.Is(err, p.Kind) true (apperr.ErrConflict by default).
func (p *Problem) Unwrap() error {
	if p.Kind != nil {
		return p.Kind
	}
	return apperr.ErrConflict
}

// VariantRequired is the problem of putting productID, which has
// variants, into a cart: 400 variant_required.
func VariantRequired(productID string) *Problem {
	return &Problem{Code: CodeVariantRequired,
		Message: fmt.Sprintf("product %s has variants: put one of its variants into the cart", productID),
		Kind:    apperr.Validation(apperr.FieldError{Field: "product_id", Message: "has variants; choose one of them"})}
}

func problem(code, format string, args ...any) *Problem {
	return &Problem{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ProblemCode returns the stable code err carries, if it is a *Problem.
func ProblemCode(err error) (string, bool) {
	var p *Problem
	if errors.As(err, &p) {
		return p.Code, true
	}
	return "", false
}
