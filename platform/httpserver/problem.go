package httpserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/logging"
)

// ContentTypeProblem is the media type of error responses (RFC 9457).
const ContentTypeProblem = "application/problem+json"

// Stable problem codes, the machine-readable "code" of every error answer.
const (
	CodeValidationFailed    = "validation_failed"
	CodeUnauthorized        = "unauthorized"
	CodeForbidden           = "forbidden"
	CodeNotFound            = "not_found"
	CodeMethodNotAllowed    = "method_not_allowed"
	CodeConflict            = "conflict"
	CodeOutOfStock          = "out_of_stock"
	CodePayloadTooLarge     = "payload_too_large"
	CodeUnprocessable       = "unprocessable"
	CodeRateLimited         = "rate_limited"
	CodeUpstreamUnavailable = "upstream_unavailable"
	CodeInternal            = "internal"
)

// ProblemBody is an RFC 9457 problem details document with Mercato's
// extension members code, errors and request_id.
type ProblemBody struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	Code      string              `json:"code"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
}

// errMethodNotAllowed is the kind of a request whose path exists for
// other methods only.
var errMethodNotAllowed = errors.New("method not allowed")

// problemTable is THE mapping from error kinds to statuses and codes. The
// first kind that matches (errors.Is) wins, so ErrOutOfStock precedes
// ErrConflict.
var problemTable = []struct {
	kind   error
	status int
	code   string
}{
	{apperr.ErrValidation, http.StatusBadRequest, CodeValidationFailed},
	{apperr.ErrUnauthorized, http.StatusUnauthorized, CodeUnauthorized},
	{apperr.ErrForbidden, http.StatusForbidden, CodeForbidden},
	{apperr.ErrNotFound, http.StatusNotFound, CodeNotFound},
	{errMethodNotAllowed, http.StatusMethodNotAllowed, CodeMethodNotAllowed},
	{apperr.ErrOutOfStock, http.StatusConflict, CodeOutOfStock},
	{apperr.ErrConflict, http.StatusConflict, CodeConflict},
	{apperr.ErrPayloadTooLarge, http.StatusRequestEntityTooLarge, CodePayloadTooLarge},
	{apperr.ErrUnprocessable, http.StatusUnprocessableEntity, CodeUnprocessable},
	{apperr.ErrRateLimited, http.StatusTooManyRequests, CodeRateLimited},
	{apperr.ErrUnavailable, http.StatusServiceUnavailable, CodeUpstreamUnavailable},
}

// internalDetail is all a client learns of an unexpected error.
const internalDetail = "An internal error occurred; it has been logged."

// Problem maps err to its status and problem body (without Instance and
// RequestID, which depend on the request). For a known kind the detail is
// err.Error(), so wrap kinds with messages fit for clients; a
// RetryableError shows only its Detail. Errors of no known kind are 500
// "internal" and their text is not disclosed. An apperr.Coder in the chain
// replaces the kind's code with its own (not on a 500).
func Problem(err error) (int, ProblemBody) {
	status, code, detail := http.StatusInternalServerError, CodeInternal, internalDetail
	var (
		tooLarge  *http.MaxBytesError
		retryable *apperr.RetryableError
	)
	switch {
	case errors.As(err, &tooLarge):
		status, code = http.StatusRequestEntityTooLarge, CodePayloadTooLarge
		detail = fmt.Sprintf("request body exceeds the limit of %d bytes", tooLarge.Limit)
	case errors.As(err, &retryable):
		// The kind decides, not whatever the cause wraps; the cause
		// stays private.
		if s, c, ok := lookup(retryable.Kind); ok {
			status, code, detail = s, c, retryable.Detail
		}
	default:
		if s, c, ok := lookup(err); ok {
			status, code, detail = s, c, err.Error()
		}
	}
	body := ProblemBody{
		Type:   "about:blank",
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
	}
	var invalid *apperr.ValidationError
	if code == CodeValidationFailed && errors.As(err, &invalid) {
		body.Errors = invalid.Fields
	}
	// An error with a code of its own shows it (the status stays its
	// kind's); a 500 never tells more than "internal".
	var coder apperr.Coder
	if status < http.StatusInternalServerError && errors.As(err, &coder) && coder.ProblemCode() != "" {
		body.Code = coder.ProblemCode()
	}
	return status, body
}

func lookup(err error) (int, string, bool) {
	for _, row := range problemTable {
		if errors.Is(err, row.kind) {
			return row.status, row.code, true
		}
	}
	return 0, "", false
}

// WriteError answers the request with the problem err maps to, sets
// WWW-Authenticate on 401 and Retry-After on 429 and 503, logs errors that
// become 5xx (with the text the client does not see), and aborts the chain.
func WriteError(c *gin.Context, err error) {
	status, body := Problem(err)
	if status >= http.StatusInternalServerError {
		loggerFrom(c).ErrorContext(c.Request.Context(), "request failed",
			"status", status, "code", body.Code, "error", fmt.Sprint(err))
	}
	writeProblem(c, status, body, err)
}

func writeProblem(c *gin.Context, status int, body ProblemBody, err error) {
	body.Instance = c.Request.URL.Path
	body.RequestID = logging.RequestID(c.Request.Context())
	switch status {
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", "Bearer")
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		c.Header("Retry-After", strconv.Itoa(retryAfterSeconds(err)))
	}
	encoded, marshalErr := json.Marshal(body)
	if marshalErr != nil { // cannot happen: ProblemBody holds strings and ints
		encoded = []byte(`{"type":"about:blank","status":500,"code":"internal"}`)
	}
	c.Data(status, ContentTypeProblem, encoded)
	c.Abort()
}

// retryAfterSeconds is the Retry-After hint of err in whole seconds,
// rounded up, at least 1 (also when err carries no hint).
func retryAfterSeconds(err error) int {
	d, ok := apperr.RetryAfterOf(err)
	if !ok {
		return 1
	}
	return max(1, int(math.Ceil(float64(d)/float64(time.Second))))
}
