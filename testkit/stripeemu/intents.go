package stripeemu

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// createPaymentIntent is POST /v1/payment_intents.
func (e *Emulator) createPaymentIntent(r *http.Request, f form) (any, *apiError) {
	amount, ok, err := f.int64("amount")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, missingParam("amount")
	}
	if amount < 1 {
		return nil, &apiError{status: http.StatusBadRequest, unsaved: true, body: stripeError{Type: errTypeInvalidRequest,
			Code: "parameter_invalid_integer", Param: "amount", Message: "This value must be greater than or equal to 1."}}
	}
	currency := strings.ToLower(f.Get("currency"))
	if currency == "" {
		return nil, missingParam("currency")
	}
	if len(currency) != 3 {
		return nil, &apiError{status: http.StatusBadRequest, unsaved: true, body: stripeError{Type: errTypeInvalidRequest,
			Code: "parameter_invalid_string", Param: "currency", Message: "Invalid currency: " + currency + "."}}
	}
	types := f.list("payment_method_types")
	if len(types) == 0 {
		types = []string{"card"}
	}
	id := newID("pi")
	pi := &paymentIntent{
		ID:                 id,
		Object:             "payment_intent",
		Amount:             amount,
		CaptureMethod:      "automatic",
		ClientSecret:       id + "_secret_" + newID("s")[2:],
		ConfirmationMethod: "automatic",
		Created:            time.Now().Unix(),
		Currency:           currency,
		Metadata:           f.metadata(),
		PaymentMethodTypes: types,
		Status:             statusRequiresPaymentMethod,
	}
	if d := f.Get("description"); d != "" {
		pi.Description = strPtr(d)
	}
	if pm := f.Get("payment_method"); pm != "" {
		pi.PaymentMethod = strPtr(pm)
		pi.Status = statusRequiresConfirmation
	}
	e.intents[id] = pi
	e.order = append(e.order, id)
	if f.bool("confirm") {
		if apiErr := e.confirm(pi, ""); apiErr != nil {
			return nil, apiErr
		}
	}
	return e.renderIntent(pi, f.list("expand")), nil
}

// retrievePaymentIntent is GET /v1/payment_intents/{id}.
func (e *Emulator) retrievePaymentIntent(r *http.Request, f form) (any, *apiError) {
	pi, ok := e.intents[r.PathValue("id")]
	if !ok {
		return nil, noSuchObject("payment_intent", "intent", r.PathValue("id"))
	}
	return e.renderIntent(pi, f.list("expand")), nil
}

// confirmPaymentIntent is POST /v1/payment_intents/{id}/confirm.
func (e *Emulator) confirmPaymentIntent(r *http.Request, f form) (any, *apiError) {
	pi, ok := e.intents[r.PathValue("id")]
	if !ok {
		return nil, noSuchObject("payment_intent", "intent", r.PathValue("id"))
	}
	if apiErr := e.confirm(pi, f.Get("payment_method")); apiErr != nil {
		return nil, apiErr
	}
	return e.renderIntent(pi, f.list("expand")), nil
}

// cancelPaymentIntent is POST /v1/payment_intents/{id}/cancel.
func (e *Emulator) cancelPaymentIntent(r *http.Request, f form) (any, *apiError) {
	pi, ok := e.intents[r.PathValue("id")]
	if !ok {
		return nil, noSuchObject("payment_intent", "intent", r.PathValue("id"))
	}
	if pi.Status == statusSucceeded || pi.Status == statusCanceled {
		return nil, unexpectedState(fmt.Sprintf("You cannot cancel this PaymentIntent because it has a status of %s. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.", pi.Status))
	}
	now := time.Now().Unix()
	pi.Status = statusCanceled
	pi.CanceledAt = &now
	reason := f.Get("cancellation_reason")
	if reason == "" {
		reason = "requested_by_customer"
	}
	pi.CancellationReason = &reason
	pi.NextAction = nil
	e.emit("payment_intent.canceled", e.renderIntent(pi, nil))
	return e.renderIntent(pi, f.list("expand")), nil
}

// confirm runs the PaymentIntent's payment method (pm overrides the one it
// has) and moves it to succeeded, requires_action or (declined)
// requires_payment_method. A decline is answered 402 with a card_error.
func (e *Emulator) confirm(pi *paymentIntent, pm string) *apiError {
	switch pi.Status {
	case statusRequiresPaymentMethod, statusRequiresConfirmation, statusRequiresAction:
	default:
		return unexpectedState(fmt.Sprintf("You cannot confirm this PaymentIntent because it has a status of %s.", pi.Status))
	}
	if pm != "" {
		pi.PaymentMethod = strPtr(pm)
	}
	if pi.PaymentMethod == nil {
		return &apiError{status: http.StatusBadRequest, body: stripeError{Type: errTypeInvalidRequest, Code: "payment_intent_unexpected_state",
			Message: "You cannot confirm this PaymentIntent because it's missing a payment method."}}
	}
	card, ok := testCards[*pi.PaymentMethod]
	if !ok {
		return noSuchObject("PaymentMethod", "payment_method", *pi.PaymentMethod)
	}
	if !slices.Contains(pi.PaymentMethodTypes, "card") {
		return &apiError{status: http.StatusBadRequest, body: stripeError{Type: errTypeInvalidRequest, Code: "payment_intent_incompatible_payment_method",
			Param: "payment_method", Message: "The PaymentMethod provided (card) is not allowed for this PaymentIntent."}}
	}
	pi.LastPaymentError = nil
	pi.NextAction = nil
	switch card.outcome {
	case outcomeAuthenticate:
		pi.Status = statusRequiresAction
		pi.NextAction = &nextAction{Type: "use_stripe_sdk", UseStripeSDK: map[string]any{
			"type":                        "three_d_secure_redirect",
			"stripe_js":                   "https://hooks.stripe.com/redirect/authenticate/src_emulated",
			"three_d_secure_2_source":     "src_emulated",
			"directory_server_encryption": map[string]any{},
		}}
		e.emit("payment_intent.requires_action", e.renderIntent(pi, nil))
		return nil
	case outcomeDecline:
		return e.decline(pi, card, card.code, card.declineCode, card.message)
	default:
		e.succeed(pi)
		return nil
	}
}

// succeed charges the PaymentIntent successfully.
func (e *Emulator) succeed(pi *paymentIntent) {
	ch := e.newCharge(pi, "succeeded")
	ch.Paid, ch.Captured, ch.AmountCaptured = true, true, pi.Amount
	ch.Outcome = &chargeOutcome{NetworkStatus: "approved_by_network", SellerMessage: "Payment complete.", Type: "authorized"}
	pi.Status = statusSucceeded
	pi.AmountReceived = pi.Amount
	e.emit("charge.succeeded", *ch)
	e.emit("payment_intent.succeeded", e.renderIntent(pi, nil))
}

// decline records a failed charge and answers 402 with Stripe's card error.
func (e *Emulator) decline(pi *paymentIntent, card testCard, code, declineCode, message string) *apiError {
	ch := e.newCharge(pi, "failed")
	ch.FailureCode, ch.FailureMessage = strPtr(code), strPtr(message)
	ch.Outcome = &chargeOutcome{NetworkStatus: "declined_by_network", Reason: strPtr(declineCode), SellerMessage: "The bank returned the decline code `" + declineCode + "`.", Type: "issuer_declined"}
	pi.Status = statusRequiresPaymentMethod
	pi.LastPaymentError = &stripeError{
		Type: errTypeCard, Code: code, DeclineCode: declineCode, Message: message, Charge: ch.ID,
		DocURL:        "https://stripe.com/docs/error-codes/" + strings.ReplaceAll(code, "_", "-"),
		PaymentMethod: paymentMethodObject(*pi.PaymentMethod, card, pi.Created),
	}
	e.emit("charge.failed", *ch)
	rendered := e.renderIntent(pi, nil)
	e.emit("payment_intent.payment_failed", rendered)
	body := *pi.LastPaymentError
	body.PaymentIntent = rendered
	return &apiError{status: http.StatusPaymentRequired, body: body}
}

// newCharge records a charge of the PaymentIntent's amount.
func (e *Emulator) newCharge(pi *paymentIntent, status string) *charge {
	ch := &charge{
		ID: newID("ch"), Object: "charge", Amount: pi.Amount, Created: time.Now().Unix(), Currency: pi.Currency,
		Metadata: pi.Metadata, PaymentIntent: pi.ID, PaymentMethod: *pi.PaymentMethod, Status: status,
		Refunds: &refundList{Object: "list", Data: []*refund{}},
	}
	ch.Refunds.URL = "/v1/charges/" + ch.ID + "/refunds"
	e.charges[ch.ID] = ch
	pi.latestChargeID = ch.ID
	return ch
}

// renderIntent is a copy of pi as the API shows it, with latest_charge
// expanded when asked.
func (e *Emulator) renderIntent(pi *paymentIntent, expand []string) *paymentIntent {
	out := *pi
	out.Metadata = cloneMap(pi.Metadata)
	if pi.LastPaymentError != nil {
		lpe := *pi.LastPaymentError
		out.LastPaymentError = &lpe
	}
	if pi.latestChargeID != "" {
		out.LatestCharge = pi.latestChargeID
		if slices.Contains(expand, "latest_charge") {
			ch := e.renderCharge(e.charges[pi.latestChargeID])
			out.LatestCharge = ch
		}
	}
	return &out
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
