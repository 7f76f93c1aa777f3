// Package apperr defines the kinds of error that every Mercato service speaks.
//
// Domain and store code wrap driver errors into these kinds with %w
// (fmt.Errorf("reserve %s: %w", id, apperr.ErrConflict)); the HTTP layer maps
// a kind to a status and a stable problem code in one table
// (platform/httpserver). Nothing else decides a status code.
package apperr

import (
	"errors"
	"strings"
	"time"
)

// Error kinds. Match them with errors.Is.
var (
	ErrValidation      = errors.New("validation failed")
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrUnauthorized    = errors.New("unauthorized")
	ErrForbidden       = errors.New("forbidden")
	ErrOutOfStock      = errors.New("out of stock")
	ErrRateLimited     = errors.New("rate limited")
	ErrUnavailable     = errors.New("upstream unavailable")
	ErrPayloadTooLarge = errors.New("payload too large")
	// ErrUnprocessable is a well-formed request that cannot be applied, such
	// as an Idempotency-Key reused with another body.
	ErrUnprocessable = errors.New("unprocessable")
)

// FieldError names one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError carries the field errors of a rejected request.
// It matches ErrValidation.
type ValidationError struct {
	Fields []FieldError
}

// Validation builds a ValidationError from field/message pairs.
func Validation(fields ...FieldError) *ValidationError {
	return &ValidationError{Fields: fields}
}

// Add appends a field error.
func (e *ValidationError) Add(field, message string) {
	e.Fields = append(e.Fields, FieldError{field, message})
}

// Err returns e when it holds field errors and nil otherwise, so validators
// can collect errors and return v.Err().
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrValidation) true.
func (e *ValidationError) Unwrap() error { return ErrValidation }

// RetryableError is an error that carries a Retry-After hint: an open
// circuit breaker (ErrUnavailable) or a throttle (ErrRateLimited).
type RetryableError struct {
	Kind       error         // ErrUnavailable or ErrRateLimited
	Detail     string        // human-readable, safe to show to a client
	RetryAfter time.Duration // how long the caller should wait
	Err        error         // cause, optional
}

func (e *RetryableError) Error() string {
	if e.Err != nil {
		return e.Detail + ": " + e.Err.Error()
	}
	return e.Detail
}

// Unwrap exposes both the kind and the cause.
func (e *RetryableError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// RetryAfterOf returns the Retry-After hint carried by err, if any.
func RetryAfterOf(err error) (time.Duration, bool) {
	var r *RetryableError
	if errors.As(err, &r) && r.RetryAfter > 0 {
		return r.RetryAfter, true
	}
	return 0, false
}

// Coder is an error whose answer carries a stable code of its own, such
// as discount_expired or variant_required, instead of its kind's; its kind
// still decides the status (platform/httpserver). Domain errors implement
// it with a ProblemCode method, or are made with WithCode.
type Coder interface {
	error
	ProblemCode() string
}

// WithCode is err answered with code instead of its kind's code.
func WithCode(code string, err error) error { return &codedError{code: code, err: err} }

type codedError struct {
	code string
	err  error
}

func (e *codedError) Error() string       { return e.err.Error() }
func (e *codedError) Unwrap() error       { return e.err }
func (e *codedError) ProblemCode() string { return e.code }
