package httpserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/logging"
)

func TestProblemTable(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		status     int
		code       string
		detail     string // "" skips the check
		retryAfter string
		authHeader string
	}{
		{name: "validation", err: apperr.Validation(apperr.FieldError{Field: "email", Message: "is required"}),
			status: 400, code: "validation_failed"},
		{name: "bare validation kind", err: fmt.Errorf("limit out of range: %w", apperr.ErrValidation),
			status: 400, code: "validation_failed", detail: "limit out of range: validation failed"},
		{name: "unauthorized", err: fmt.Errorf("token expired: %w", apperr.ErrUnauthorized),
			status: 401, code: "unauthorized", authHeader: "Bearer"},
		{name: "forbidden", err: apperr.ErrForbidden, status: 403, code: "forbidden"},
		{name: "not found", err: fmt.Errorf("product p1: %w", apperr.ErrNotFound),
			status: 404, code: "not_found", detail: "product p1: not found"},
		{name: "conflict", err: fmt.Errorf("sku taken: %w", apperr.ErrConflict), status: 409, code: "conflict"},
		{name: "out of stock", err: fmt.Errorf("p1: %w", apperr.ErrOutOfStock), status: 409, code: "out_of_stock"},
		{name: "out of stock wins over conflict", err: fmt.Errorf("%w: %w", apperr.ErrConflict, apperr.ErrOutOfStock),
			status: 409, code: "out_of_stock"},
		{name: "payload too large", err: apperr.ErrPayloadTooLarge, status: 413, code: "payload_too_large"},
		{name: "max bytes error", err: fmt.Errorf("bind: %w", &http.MaxBytesError{Limit: 10}),
			status: 413, code: "payload_too_large", detail: "request body exceeds the limit of 10 bytes"},
		{name: "unprocessable", err: fmt.Errorf("key reused: %w", apperr.ErrUnprocessable), status: 422, code: "unprocessable"},
		{name: "rate limited rounds up", err: &apperr.RetryableError{Kind: apperr.ErrRateLimited, Detail: "slow down", RetryAfter: 1500 * time.Millisecond},
			status: 429, code: "rate_limited", detail: "slow down", retryAfter: "2"},
		{name: "rate limited minimum 1", err: &apperr.RetryableError{Kind: apperr.ErrRateLimited, Detail: "slow down", RetryAfter: time.Millisecond},
			status: 429, code: "rate_limited", retryAfter: "1"},
		{name: "rate limited without hint", err: apperr.ErrRateLimited, status: 429, code: "rate_limited", retryAfter: "1"},
		{name: "unavailable hides cause", err: &apperr.RetryableError{Kind: apperr.ErrUnavailable, Detail: "catalog unavailable",
			RetryAfter: 30 * time.Second, Err: errors.New("circuit breaker is open: 10.0.0.7")},
			status: 503, code: "upstream_unavailable", detail: "catalog unavailable", retryAfter: "30"},
		{name: "retryable kind wins over cause", err: &apperr.RetryableError{Kind: apperr.ErrUnavailable, Detail: "down",
			Err: apperr.ErrNotFound}, status: 503, code: "upstream_unavailable", detail: "down", retryAfter: "1"},
		{name: "internal hides text", err: errors.New("mongo: password=hunter2 auth failed"),
			status: 500, code: "internal", detail: internalDetail},
		{name: "method not allowed", err: errMethodNotAllowed, status: 405, code: "method_not_allowed"},
		{name: "own code, kind's status", err: fmt.Errorf("restock p1: %w", apperr.WithCode("has_variants", fmt.Errorf("p1 has variants: %w", apperr.ErrConflict))),
			status: 409, code: "has_variants", detail: "restock p1: p1 has variants: conflict"},
		{name: "own code on a validation error", err: apperr.WithCode("variant_required", apperr.Validation(apperr.FieldError{Field: "product_id", Message: "has variants"})),
			status: 400, code: "variant_required"},
		{name: "own code never on a 500", err: apperr.WithCode("secret_code", errors.New("driver failed")),
			status: 500, code: "internal", detail: internalDetail},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := Problem(tc.err)
			if status != tc.status || body.Status != tc.status || body.Code != tc.code {
				t.Fatalf("Problem = %d %+v, want %d %s", status, body, tc.status, tc.code)
			}
			if body.Type != "about:blank" || body.Title != http.StatusText(tc.status) {
				t.Errorf("type/title = %q/%q", body.Type, body.Title)
			}
			if tc.detail != "" && body.Detail != tc.detail {
				t.Errorf("detail = %q, want %q", body.Detail, tc.detail)
			}

			rec, got := writeErrorFor(t, tc.err)
			if rec.Code != tc.status || got.Code != tc.code {
				t.Fatalf("WriteError = %d %+v", rec.Code, got)
			}
			if ct := rec.Header().Get("Content-Type"); ct != ContentTypeProblem {
				t.Errorf("Content-Type = %q", ct)
			}
			if got := rec.Header().Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.authHeader {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.authHeader)
			}
			if got.Instance != "/things/7" || got.RequestID != "rid-1" {
				t.Errorf("instance/request_id = %q/%q", got.Instance, got.RequestID)
			}
		})
	}
}

func TestACodedValidationErrorStillListsItsFields(t *testing.T) {
	_, body := Problem(apperr.WithCode("variant_required", apperr.Validation(apperr.FieldError{Field: "product_id", Message: "has variants"})))
	if body.Code != "variant_required" || len(body.Errors) != 1 || body.Errors[0].Field != "product_id" {
		t.Fatalf("body %+v", body)
	}
}

func TestProblemValidationListsFields(t *testing.T) {
	v := apperr.Validation(apperr.FieldError{Field: "email", Message: "is required"})
	v.Add("password", "is too short")
	_, body := Problem(fmt.Errorf("register: %w", v))
	if len(body.Errors) != 2 || body.Errors[0].Field != "email" || body.Errors[1].Message != "is too short" {
		t.Fatalf("errors = %+v", body.Errors)
	}
	rec, got := writeErrorFor(t, v)
	if len(got.Errors) != 2 || !strings.Contains(rec.Body.String(), `"errors":[{"field":"email","message":"is required"}`) {
		t.Errorf("body = %s", rec.Body.String())
	}
}

func TestWriteErrorLogsInternalErrorText(t *testing.T) {
	var logs strings.Builder
	logger := logging.New("test", "info", &logs)
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	c.Request = httptest.NewRequest(http.MethodGet, "/x", nil)
	c.Set(loggerKey, logger)
	WriteError(c, errors.New("mongo: password=hunter2 auth failed"))

	if strings.Contains(rec.Body.String(), "hunter2") {
		t.Errorf("response leaks the internal error: %s", rec.Body.String())
	}
	if !strings.Contains(logs.String(), "hunter2 auth failed") {
		t.Errorf("internal error not logged: %s", logs.String())
	}
	if !c.IsAborted() {
		t.Error("WriteError did not abort the chain")
	}
}

// writeErrorFor runs WriteError in a gin context for GET /things/7 with
// request id rid-1 and decodes the answer.
func writeErrorFor(t *testing.T, err error) (*httptest.ResponseRecorder, ProblemBody) {
	t.Helper()
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	req := httptest.NewRequest(http.MethodGet, "/things/7", nil)
	c.Request = req.WithContext(logging.WithRequestID(req.Context(), "rid-1"))
	c.Set(loggerKey, discardLogger())
	WriteError(c, err)
	var body ProblemBody
	if decodeErr := json.Unmarshal(rec.Body.Bytes(), &body); decodeErr != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), decodeErr)
	}
	return rec, body
}
