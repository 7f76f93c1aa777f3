package stripeapi

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stripe/stripe-go/v76"
)

func TestErrorKindIsABoundedClassOfTheStripeError(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&stripe.Error{Type: stripe.ErrorTypeCard, HTTPStatusCode: 402}, "card_error"},
		{fmt.Errorf("wrapped: %w", &stripe.Error{Type: stripe.ErrorTypeIdempotency, HTTPStatusCode: 400}), "idempotency_error"},
		{&stripe.Error{Type: stripe.ErrorTypeInvalidRequest, HTTPStatusCode: 429}, "rate_limit"},
		{&stripe.Error{Type: stripe.ErrorTypeAPI, HTTPStatusCode: 500}, "api_error"},
		{fmt.Errorf("call: %w", context.DeadlineExceeded), "timeout"},
		{errors.New("dial tcp: connection refused"), "unavailable"},
	} {
		if got := errorKind(c.err); got != c.want {
			t.Errorf("errorKind(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
