package stripeemu

import (
	"encoding/json"
	"net/http"
)

// OrderActivity is what the emulator holds for one order (the order_id
// metadata of its PaymentIntents): end-to-end tests count charges with it.
type OrderActivity struct {
	OrderID        string           `json:"order_id"`
	PaymentIntents []*paymentIntent `json:"payment_intents"`
	Charges        []charge         `json:"charges"`
	Refunds        []refund         `json:"refunds"`
	// SucceededCharges counts charges that moved money.
	SucceededCharges int `json:"succeeded_charges"`
	// CapturedAmount and RefundedAmount sum the succeeded charges.
	CapturedAmount int64 `json:"captured_amount"`
	RefundedAmount int64 `json:"refunded_amount"`
}

// Order returns the PaymentIntents, charges and refunds of an order.
func (e *Emulator) Order(orderID string) OrderActivity {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := OrderActivity{OrderID: orderID, PaymentIntents: []*paymentIntent{}, Charges: []charge{}, Refunds: []refund{}}
	for _, id := range e.order {
		pi := e.intents[id]
		if pi.Metadata["order_id"] != orderID {
			continue
		}
		out.PaymentIntents = append(out.PaymentIntents, e.renderIntent(pi, nil))
		for _, ch := range e.charges {
			if ch.PaymentIntent != pi.ID {
				continue
			}
			out.Charges = append(out.Charges, e.renderCharge(ch))
			if ch.Status == "succeeded" {
				out.SucceededCharges++
				out.CapturedAmount += ch.AmountCaptured
				out.RefundedAmount += ch.AmountRefunded
			}
			for _, re := range ch.Refunds.Data {
				out.Refunds = append(out.Refunds, *re)
			}
		}
	}
	return out
}

// Authenticate finishes the 3-D Secure step of a PaymentIntent in
// requires_action, as the shopper would in the browser: it succeeds, or
// fails with payment_intent_authentication_failure.
func (e *Emulator) Authenticate(paymentIntentID string, succeed bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	pi, ok := e.intents[paymentIntentID]
	if !ok {
		return errNotFound(paymentIntentID)
	}
	if pi.Status != statusRequiresAction {
		return errState(pi.Status)
	}
	pi.NextAction = nil
	if succeed {
		e.succeed(pi)
		return nil
	}
	card := testCards[*pi.PaymentMethod]
	e.decline(pi, card, "payment_intent_authentication_failure", "", "We are unable to authenticate your payment method. Please choose a different payment method and try again.")
	return nil
}

// adminRoutes are /healthz and the switches and read endpoints under
// /_emulator/.
func (e *Emulator) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, e.Faults())
	})
	mux.HandleFunc("PUT /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		e.SetFaults(f)
		writeJSON(w, http.StatusOK, e.Faults())
	})
	mux.HandleFunc("DELETE /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		e.SetFaults(Faults{})
		writeJSON(w, http.StatusOK, e.Faults())
	})
	mux.HandleFunc("GET /_emulator/orders/{order_id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, e.Order(r.PathValue("order_id")))
	})
	mux.HandleFunc("GET /_emulator/webhooks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"deliveries": e.Deliveries()})
	})
	mux.HandleFunc("POST /_emulator/payment_intents/{id}/authenticate", func(w http.ResponseWriter, r *http.Request) {
		succeed := r.URL.Query().Get("result") != "fail"
		if err := e.Authenticate(r.PathValue("id"), succeed); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
