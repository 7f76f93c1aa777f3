package stripeapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// Metadata keys Mercato puts on its Stripe objects.
const (
	MetaOrderID   = "order_id"
	MetaAttempt   = "attempt"
	MetaRefundKey = "refund_key"
)

// ErrNotSettled is returned for an answer that settles nothing yet (a
// PaymentIntent still processing): ask again later with the same key.
var ErrNotSettled = errors.New("stripe: payment not settled yet")

// Charge creates and confirms the PaymentIntent of call under its
// idempotency key: the same key always returns the same PaymentIntent, so
// repeating the call never charges twice. It returns the outcome for a
// settled answer (succeeded, declined, requires action); an error, which
// wraps apperr.ErrUnavailable, means "ask again later with the same key"
// (network, timeout, 5xx, open breaker, or an answer that settles nothing).
func (c *Client) Charge(ctx context.Context, call domain.ChargeCall) (domain.ChargeOutcome, error) {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	start := time.Now()
	pi, err := c.intents.New(ChargeParams(ctx, call))
	observeCall(opCreatePaymentIntent, start, err)
	if err != nil {
		if o, ok := declineOutcome(err, call.Attempt); ok {
			return o, nil
		}
		return domain.ChargeOutcome{}, unavailable("create PaymentIntent for "+call.OrderID, err)
	}
	o, ok := OutcomeOf(pi, call.Attempt)
	if !ok {
		return domain.ChargeOutcome{}, unavailable("PaymentIntent "+pi.ID, fmt.Errorf("%w: status %s", ErrNotSettled, pi.Status))
	}
	return o, nil
}

// ChargeParams are the parameters of a charge: amount and currency, the
// shopper's PaymentMethod confirmed at once, cards only (so no return_url
// is needed), the order and attempt as metadata, and the idempotency key.
func ChargeParams(ctx context.Context, call domain.ChargeCall) *stripe.PaymentIntentParams {
	p := &stripe.PaymentIntentParams{
		Amount:             stripe.Int64(call.Amount),
		Currency:           stripe.String(strings.ToLower(call.Currency)),
		PaymentMethod:      stripe.String(call.PaymentMethod),
		PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
		Confirm:            stripe.Bool(true),
		Description:        stripe.String("Mercato order " + call.OrderID),
	}
	p.Context = ctx
	p.AddMetadata(MetaOrderID, call.OrderID)
	p.AddMetadata(MetaAttempt, strconv.Itoa(call.Attempt))
	p.SetIdempotencyKey(call.IdempotencyKey)
	return p
}

// OutcomeOf reads a PaymentIntent; ok is false when it settles nothing.
func OutcomeOf(pi *stripe.PaymentIntent, attempt int) (domain.ChargeOutcome, bool) {
	o := domain.ChargeOutcome{PaymentIntentID: pi.ID, Attempt: attempt}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		o.Outcome = domain.OutcomeSucceeded
	case stripe.PaymentIntentStatusRequiresAction:
		o.Outcome, o.ClientSecret = domain.OutcomeRequiresAction, pi.ClientSecret
		if pi.NextAction != nil {
			o.NextAction = string(pi.NextAction.Type)
		}
	case stripe.PaymentIntentStatusRequiresPaymentMethod:
		if pi.LastPaymentError == nil {
			return o, false
		}
		o.Outcome = domain.OutcomeFailed
		o.DeclineCode, o.Code, o.Message = declineCodeOf(pi.LastPaymentError), string(pi.LastPaymentError.Code), pi.LastPaymentError.Msg
	case stripe.PaymentIntentStatusCanceled:
		o.Outcome, o.DeclineCode, o.Code, o.Message = domain.OutcomeFailed, "canceled", "payment_intent_canceled", "The payment was canceled."
	default:
		return o, false
	}
	return o, true
}

// AttemptOf reads the attempt metadata of a PaymentIntent (0 when absent).
func AttemptOf(md map[string]string) int {
	n, _ := strconv.Atoi(md[MetaAttempt])
	return n
}

// declineOutcome turns a Stripe error that settles the payment into a
// failed outcome: a card decline, or a request Stripe refuses for good
// (an unknown PaymentMethod, an invalid amount). Errors that may pass
// (5xx, 409, 429, authentication, idempotency errors, network) do not.
func declineOutcome(err error, attempt int) (domain.ChargeOutcome, bool) {
	var se *stripe.Error
	if !errors.As(err, &se) || retryableStatus(se) {
		return domain.ChargeOutcome{}, false
	}
	switch se.Type {
	case stripe.ErrorTypeCard, stripe.ErrorTypeInvalidRequest:
	default:
		return domain.ChargeOutcome{}, false
	}
	o := domain.ChargeOutcome{Outcome: domain.OutcomeFailed, Attempt: attempt, DeclineCode: declineCodeOf(se), Code: string(se.Code), Message: se.Msg}
	if se.PaymentIntent != nil {
		o.PaymentIntentID = se.PaymentIntent.ID
	}
	return o, true
}

// retryableStatus tells the answers that a later identical call may change.
func retryableStatus(se *stripe.Error) bool {
	switch {
	case se.HTTPStatusCode >= http.StatusInternalServerError,
		se.HTTPStatusCode == http.StatusConflict,
		se.HTTPStatusCode == http.StatusTooManyRequests,
		se.HTTPStatusCode == http.StatusUnauthorized,
		se.HTTPStatusCode == http.StatusForbidden,
		se.Type == stripe.ErrorTypeIdempotency,
		se.Type == stripe.ErrorTypeAPI:
		return true
	}
	return false
}

// declineCodeOf is the issuer's decline code, else Stripe's error code.
func declineCodeOf(se *stripe.Error) string {
	if se.DeclineCode != "" {
		return string(se.DeclineCode)
	}
	if se.Code != "" {
		return string(se.Code)
	}
	return string(se.Type)
}

// unavailable wraps an error meaning "retry later with the same key".
func unavailable(what string, err error) error {
	return fmt.Errorf("stripe: %s: %w: %w", what, apperr.ErrUnavailable, err)
}
