package httpserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// BodyField is the field name of errors about the request body as a whole.
const BodyField = "body"

// BindJSON decodes the request body into dst strictly: exactly one JSON
// value, no unknown fields. Client mistakes come back as apperr errors
// (so WriteError answers 400 with field errors, or 413):
//
//   - empty body: ValidationError{body: "request body is required"}
//   - malformed JSON or more than one value: ValidationError{body: ...}
//   - a value of the wrong type: ValidationError{"items.0.quantity": "must be an integer"}
//   - an unknown field: ValidationError{"role": "unknown field"}
//   - a body over the size limit: ErrPayloadTooLarge
//   - a value a type's UnmarshalJSON refuses: ValidationError{body: "invalid value: ..."}
//
// A failed read of the body is returned wrapped, as is (a 500).
func BindJSON(c *gin.Context, dst any) error {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return apperr.Validation(apperr.FieldError{Field: BodyField, Message: "request body is required"})
	}
	body := &recordingReader{r: c.Request.Body}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, body.err)
	}
	// Anything but the end of the body after the value is an error.
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if body.err != nil && !errors.Is(body.err, io.EOF) {
			return decodeError(err, body.err)
		}
		return apperr.Validation(apperr.FieldError{Field: BodyField, Message: "must be a single JSON value"})
	}
	return nil
}

// recordingReader remembers the error of the underlying body, so that
// read failures are told apart from what the client sent.
type recordingReader struct {
	r   io.Reader
	err error
}

func (r *recordingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil {
		r.err = err
	}
	return n, err
}

// decodeError turns a decoding error into an apperr error; readErr is the
// body's own read error, if any.
func decodeError(err, readErr error) error {
	if readErr != nil && !errors.Is(readErr, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(readErr, &tooLarge) {
			return fmt.Errorf("%w: %w", apperr.ErrPayloadTooLarge, readErr)
		}
		return fmt.Errorf("read request body: %w", readErr)
	}
	var (
		syntax    *json.SyntaxError
		wrongType *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return apperr.Validation(apperr.FieldError{Field: BodyField, Message: "request body is required"})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Validation(apperr.FieldError{Field: BodyField, Message: "malformed JSON: unexpected end of input"})
	case errors.As(err, &syntax):
		return apperr.Validation(apperr.FieldError{Field: BodyField,
			Message: fmt.Sprintf("malformed JSON at byte %d", syntax.Offset)})
	case errors.As(err, &wrongType):
		field := wrongType.Field
		if field == "" {
			field = BodyField
		}
		return apperr.Validation(apperr.FieldError{Field: field, Message: "must be " + jsonKind(wrongType.Type)})
	}
	if name, ok := unknownField(err); ok {
		return apperr.Validation(apperr.FieldError{Field: name, Message: "unknown field"})
	}
	// A type's own UnmarshalJSON refused the value (a bad time, say).
	return apperr.Validation(apperr.FieldError{Field: BodyField, Message: "invalid value: " + err.Error()})
}

// unknownField extracts the name from encoding/json's error for a field
// that DisallowUnknownFields rejected (it has no error type of its own).
func unknownField(err error) (string, bool) {
	const prefix = "json: unknown field "
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return "", false
	}
	name, unquoteErr := strconv.Unquote(strings.TrimPrefix(msg, prefix))
	if unquoteErr != nil {
		return "", false
	}
	return name, true
}

// jsonKind names the JSON type a Go type decodes from, with its article.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	default:
		return "a " + t.String()
	}
}
