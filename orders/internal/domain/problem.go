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

// Problem is a conflict with a stable code of its own. It matches
// apperr.ErrConflict.
type Problem struct {
	Code    string
	Message string
}

func (p *Problem) Error() string { return p.Message }

// Unwrap makes errors.Is(err, apperr.ErrConflict) true.
func (p *Problem) Unwrap() error { return apperr.ErrConflict }

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
