package stripeemu

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// apiError is an error answer of the API: its status and Stripe's error body.
type apiError struct {
	status int
	body   stripeError
	// unsaved errors (parameter validation) are not kept for idempotent
	// replay, as Stripe does for requests that never started executing.
	unsaved bool
}

func invalidParam(param, message string) *apiError {
	return &apiError{status: http.StatusBadRequest, unsaved: true,
		body: stripeError{Type: errTypeInvalidRequest, Code: "parameter_invalid_integer", Param: param, Message: message}}
}

func missingParam(param string) *apiError {
	return &apiError{status: http.StatusBadRequest, unsaved: true,
		body: stripeError{Type: errTypeInvalidRequest, Code: "parameter_missing", Param: param, Message: "Missing required param: " + param + "."}}
}

func noSuchObject(kind, param, id string) *apiError {
	return &apiError{status: http.StatusNotFound,
		body: stripeError{Type: errTypeInvalidRequest, Code: "resource_missing", Param: param, Message: fmt.Sprintf("No such %s: '%s'", kind, id)}}
}

func unexpectedState(message string) *apiError {
	return &apiError{status: http.StatusBadRequest,
		body: stripeError{Type: errTypeInvalidRequest, Code: "payment_intent_unexpected_state", Message: message}}
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody is Stripe's error envelope.
func errorBody(e stripeError) map[string]any { return map[string]any{"error": e} }

// form is a request's form-encoded parameters as stripe-go sends them:
// metadata[order_id]=o1, payment_method_types[0]=card, expand[0]=latest_charge.
type form struct{ url.Values }

func parseForm(r *http.Request) (form, error) {
	if err := r.ParseForm(); err != nil {
		return form{}, fmt.Errorf("parse form: %w", err)
	}
	return form{r.Form}, nil
}

// has reports whether the parameter was sent.
func (f form) has(name string) bool { _, ok := f.Values[name]; return ok }

// int64 parses an integer parameter; ok is false when it is absent.
func (f form) int64(name string) (n int64, ok bool, err *apiError) {
	if !f.has(name) {
		return 0, false, nil
	}
	n, perr := strconv.ParseInt(f.Get(name), 10, 64)
	if perr != nil {
		return 0, false, invalidParam(name, "Invalid integer: "+f.Get(name))
	}
	return n, true, nil
}

// bool parses a boolean parameter (absent is false).
func (f form) bool(name string) bool { return f.Get(name) == "true" }

// list collects name[0], name[1], ... or name[] values.
func (f form) list(name string) []string {
	var out []string
	out = append(out, f.Values[name+"[]"]...)
	for i := 0; ; i++ {
		v, ok := f.Values[name+"["+strconv.Itoa(i)+"]"]
		if !ok {
			break
		}
		out = append(out, v...)
	}
	return out
}

// metadata collects metadata[key]=value pairs.
func (f form) metadata() map[string]string {
	md := map[string]string{}
	for k, v := range f.Values {
		if strings.HasPrefix(k, "metadata[") && strings.HasSuffix(k, "]") && len(v) > 0 {
			md[k[len("metadata["):len(k)-1]] = v[0]
		}
	}
	return md
}

// fingerprint identifies a request's parameters for idempotency: the same
// key with another fingerprint is an idempotency_error.
func (f form) fingerprint(method, path string) string {
	return method + " " + path + "?" + f.Encode() // Encode sorts by key
}

// apiKeyOf returns the key of a Bearer or Basic (key as user name)
// Authorization header.
func apiKeyOf(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if key, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(key)
	}
	if user, _, ok := r.BasicAuth(); ok {
		return user
	}
	return ""
}

// maskKey shows only the end of a key, as Stripe's messages do.
func maskKey(key string) string {
	if len(key) <= 4 {
		return "****"
	}
	prefix := ""
	if i := strings.LastIndexByte(key[:len(key)-4], '_'); i >= 0 {
		prefix = key[:i+1]
	}
	return prefix + "*********" + key[len(key)-4:]
}

// newID returns prefix_ followed by 24 random URL-safe characters.
func newID(prefix string) string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return prefix + "_" + strings.NewReplacer("-", "A", "_", "B").Replace(base64.RawURLEncoding.EncodeToString(b))
}
