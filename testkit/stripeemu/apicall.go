package stripeemu

import (
	"encoding/json"
	"net/http"
	"time"
)

// apiHandler runs one API call with the state lock held and returns the
// object to answer with (status 200) or an error.
type apiHandler func(r *http.Request, f form) (any, *apiError)

// idempotentResult is the saved first answer to an Idempotency-Key.
type idempotentResult struct {
	fingerprint string
	status      int
	body        []byte
	requestID   string
}

// apiCall wraps an API handler with what every Stripe call goes through:
// injected faults, the API-key check, form parsing, and idempotency.
func (e *Emulator) apiCall(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requestID := newID("req")
		w.Header().Set("Request-Id", requestID)
		w.Header().Set("Stripe-Version", APIVersion)
		if status, injected := e.faults.before(r.Context()); injected {
			writeJSON(w, status, errorBody(stripeError{Type: errTypeAPI,
				Message: "An unknown error occurred (injected by the Stripe emulator)."}))
			return
		}
		key := apiKeyOf(r)
		switch {
		case key == "":
			writeJSON(w, http.StatusUnauthorized, errorBody(stripeError{Type: errTypeInvalidRequest,
				Message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."}))
			return
		case key != e.opts.SecretKey:
			writeJSON(w, http.StatusUnauthorized, errorBody(stripeError{Type: errTypeInvalidRequest,
				Message: "Invalid API Key provided: " + maskKey(key)}))
			return
		}
		f, err := parseForm(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody(stripeError{Type: errTypeInvalidRequest, Message: err.Error()}))
			return
		}

		status, body := e.execute(w, r, h, f, key)
		if delay := e.faults.answerDelay(); delay > 0 {
			t := time.NewTimer(delay) // the call is done: webhooks race ahead of this answer
			select {
			case <-r.Context().Done():
			case <-t.C:
			}
			t.Stop()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body) //nolint:gosec // G705: a JSON API answer (Content-Type application/json), not HTML
	})
}

// execute runs the call under the state lock, with Stripe's idempotency:
// a POST with a known key and the same parameters gets the first answer
// again (Idempotent-Replayed: true); other parameters get an
// idempotency_error.
func (e *Emulator) execute(w http.ResponseWriter, r *http.Request, h apiHandler, f form, apiKey string) (int, []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	idemKey := r.Header.Get("Idempotency-Key")
	slot := apiKey + "|" + idemKey
	fingerprint := f.fingerprint(r.Method, r.URL.Path)
	idempotent := r.Method == http.MethodPost && idemKey != ""
	if idempotent {
		w.Header().Set("Idempotency-Key", idemKey)
		if saved, ok := e.idem[slot]; ok {
			if saved.fingerprint != fingerprint {
				body, _ := json.Marshal(errorBody(stripeError{Type: errTypeIdempotency,
					Message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '" + idemKey + "' if you meant to execute a different request."}))
				return http.StatusBadRequest, body
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Original-Request", saved.requestID)
			return saved.status, saved.body
		}
	}
	obj, apiErr := h(r, f)
	payload, status, save := obj, http.StatusOK, true
	if apiErr != nil {
		status, payload, save = apiErr.status, errorBody(apiErr.body), !apiErr.unsaved
	}
	body, err := json.Marshal(payload)
	if err != nil {
		body, _ = json.Marshal(errorBody(stripeError{Type: errTypeAPI, Message: err.Error()}))
		return http.StatusInternalServerError, body
	}
	if idempotent && save {
		e.idem[slot] = &idempotentResult{fingerprint: fingerprint, status: status, body: body, requestID: w.Header().Get("Request-Id")}
	}
	return status, body
}

// unknownURL answers a path the emulator does not serve as Stripe does.
func unknownURL(r *http.Request, _ form) (any, *apiError) {
	return nil, &apiError{status: http.StatusNotFound, unsaved: true, body: stripeError{Type: errTypeInvalidRequest,
		Message: "Unrecognized request URL (" + r.Method + ": " + r.URL.Path + ")."}}
}
