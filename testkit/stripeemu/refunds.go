package stripeemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// createRefund is POST /v1/refunds: payment_intent (or charge), an optional
// amount (default: what is left), metadata and reason.
func (e *Emulator) createRefund(r *http.Request, f form) (any, *apiError) {
	ch, apiErr := e.refundableCharge(f)
	if apiErr != nil {
		return nil, apiErr
	}
	left := ch.Amount - ch.AmountRefunded
	if left <= 0 {
		return nil, &apiError{status: http.StatusBadRequest, body: stripeError{Type: errTypeInvalidRequest,
			Code: "charge_already_refunded", Message: fmt.Sprintf("Charge %s has already been refunded.", ch.ID)}}
	}
	amount, given, err := f.int64("amount")
	if err != nil {
		return nil, err
	}
	if !given {
		amount = left
	}
	switch {
	case amount < 1:
		return nil, &apiError{status: http.StatusBadRequest, unsaved: true, body: stripeError{Type: errTypeInvalidRequest,
			Code: "parameter_invalid_integer", Param: "amount", Message: "This value must be greater than or equal to 1."}}
	case amount > left:
		return nil, &apiError{status: http.StatusBadRequest, body: stripeError{Type: errTypeInvalidRequest, Code: "amount_too_large", Param: "amount",
			Message: fmt.Sprintf("Refund amount (%d %s) is greater than unrefunded amount on charge (%d %s)", amount, ch.Currency, left, ch.Currency)}}
	}
	re := &refund{
		ID: newID("re"), Object: "refund", Amount: amount, Charge: ch.ID, Created: time.Now().Unix(),
		Currency: ch.Currency, Metadata: f.metadata(), PaymentIntent: ch.PaymentIntent, Status: "succeeded",
	}
	if reason := f.Get("reason"); reason != "" {
		re.Reason = strPtr(reason)
	}
	e.refunds[re.ID] = re
	ch.AmountRefunded += amount
	ch.Refunded = ch.AmountRefunded == ch.Amount
	ch.Refunds.Data = append([]*refund{re}, ch.Refunds.Data...)
	e.emit("refund.created", *re)
	e.emit("charge.refunded", e.renderCharge(ch))
	return re, nil
}

// refundableCharge finds the succeeded charge a refund request names.
func (e *Emulator) refundableCharge(f form) (*charge, *apiError) {
	if id := f.Get("charge"); id != "" {
		ch, ok := e.charges[id]
		if !ok {
			return nil, noSuchObject("charge", "charge", id)
		}
		if ch.Status != "succeeded" {
			return nil, &apiError{status: http.StatusBadRequest, body: stripeError{Type: errTypeInvalidRequest,
				Code: "charge_not_refundable", Message: fmt.Sprintf("Charge %s has not succeeded and cannot be refunded.", id)}}
		}
		return ch, nil
	}
	id := f.Get("payment_intent")
	if id == "" {
		return nil, &apiError{status: http.StatusBadRequest, unsaved: true, body: stripeError{Type: errTypeInvalidRequest,
			Code: "parameter_missing", Message: "One of the following params should be provided for this request: payment_intent or charge."}}
	}
	pi, ok := e.intents[id]
	if !ok {
		return nil, noSuchObject("payment_intent", "payment_intent", id)
	}
	if pi.Status != statusSucceeded {
		return nil, &apiError{status: http.StatusBadRequest, body: stripeError{Type: errTypeInvalidRequest, Code: "charge_not_refundable",
			Message: fmt.Sprintf("This PaymentIntent (%s) does not have a successful charge to refund.", id)}}
	}
	return e.charges[pi.latestChargeID], nil
}

// retrieveRefund is GET /v1/refunds/{id}.
func (e *Emulator) retrieveRefund(r *http.Request, _ form) (any, *apiError) {
	re, ok := e.refunds[r.PathValue("id")]
	if !ok {
		return nil, noSuchObject("refund", "refund", r.PathValue("id"))
	}
	return re, nil
}

// retrieveCharge is GET /v1/charges/{id}.
func (e *Emulator) retrieveCharge(r *http.Request, _ form) (any, *apiError) {
	ch, ok := e.charges[r.PathValue("id")]
	if !ok {
		return nil, noSuchObject("charge", "charge", r.PathValue("id"))
	}
	return e.renderCharge(ch), nil
}

// retrieveEvent is GET /v1/events/{id}.
func (e *Emulator) retrieveEvent(r *http.Request, _ form) (any, *apiError) {
	raw, ok := e.events[r.PathValue("id")]
	if !ok {
		return nil, noSuchObject("event", "id", r.PathValue("id"))
	}
	return json.RawMessage(raw), nil
}

// renderCharge is a deep enough copy of ch to outlive later changes.
func (e *Emulator) renderCharge(ch *charge) charge {
	out := *ch
	out.Metadata = cloneMap(ch.Metadata)
	list := *ch.Refunds
	list.Data = make([]*refund, len(ch.Refunds.Data))
	for i, re := range ch.Refunds.Data {
		cp := *re
		list.Data[i] = &cp
	}
	out.Refunds = &list
	return out
}
