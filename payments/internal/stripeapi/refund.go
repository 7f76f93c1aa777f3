package stripeapi

import (
	"context"
	"errors"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/mercato-shop/mercato/payments/internal/domain"
)

// Refund refunds call.Amount of the PaymentIntent under the refund's
// idempotency key. It returns the outcome when Stripe settled the request
// (accepted, or refused for good such as charge_already_refunded); an
// error (wrapping apperr.ErrUnavailable) means "ask again later with the
// same key".
func (c *Client) Refund(ctx context.Context, call domain.RefundCall) (domain.RefundOutcome, error) {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	start := time.Now()
	re, err := c.refunds.New(RefundParams(ctx, call))
	observeCall(opCreateRefund, start, err)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && !retryableStatus(se) && se.Type == stripe.ErrorTypeInvalidRequest {
			return domain.RefundOutcome{FailureReason: declineCodeOf(se) + ": " + se.Msg}, nil
		}
		return domain.RefundOutcome{}, unavailable("refund "+call.OrderID, err)
	}
	switch re.Status {
	case stripe.RefundStatusFailed, stripe.RefundStatusCanceled:
		return domain.RefundOutcome{StripeRefundID: re.ID, FailureReason: string(re.FailureReason)}, nil
	default: // succeeded, or pending at the bank: Stripe has accepted it
		return domain.RefundOutcome{StripeRefundID: re.ID, Succeeded: true}, nil
	}
}

// RefundParams are the parameters of a refund: the PaymentIntent, the
// amount, the order and refund key as metadata, and the idempotency key.
func RefundParams(ctx context.Context, call domain.RefundCall) *stripe.RefundParams {
	p := &stripe.RefundParams{
		PaymentIntent: stripe.String(call.PaymentIntentID),
		Amount:        stripe.Int64(call.Amount),
		Reason:        stripe.String(string(stripe.RefundReasonRequestedByCustomer)),
	}
	p.Context = ctx
	p.AddMetadata(MetaOrderID, call.OrderID)
	p.AddMetadata(MetaRefundKey, call.Key)
	if call.Reason != "" {
		p.AddMetadata("mercato_reason", call.Reason)
	}
	p.SetIdempotencyKey(call.Key)
	return p
}
