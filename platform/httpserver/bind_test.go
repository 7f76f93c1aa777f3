package httpserver

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
)

type bindTarget struct {
	Email string `json:"email"`
	Items []struct {
		Quantity int `json:"quantity"`
	} `json:"items"`
	Price struct {
		Amount int64 `json:"amount"`
	} `json:"price"`
	Active bool      `json:"active"`
	At     time.Time `json:"at"`
}

func bindBody(t *testing.T, body io.Reader) (bindTarget, error) {
	t.Helper()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, "/", body)
	var dst bindTarget
	err := BindJSON(c, &dst)
	return dst, err
}

func TestBindJSONAcceptsAValidBody(t *testing.T) {
	dst, err := bindBody(t, strings.NewReader(`{"email":"a@b.c","items":[{"quantity":2}],"price":{"amount":1999},"active":true}`+"\n"))
	if err != nil {
		t.Fatalf("BindJSON: %v", err)
	}
	if dst.Email != "a@b.c" || len(dst.Items) != 1 || dst.Items[0].Quantity != 2 || dst.Price.Amount != 1999 || !dst.Active {
		t.Errorf("decoded %+v", dst)
	}
}

func TestBindJSONRejections(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		field   string
		message string
	}{
		{"empty body", "", "body", "request body is required"},
		{"whitespace only", "  \n", "body", "request body is required"},
		{"syntax error", `{"email": }`, "body", "malformed JSON at byte"},
		{"truncated", `{"email": "a`, "body", "malformed JSON: unexpected end of input"},
		{"two values", `{"email":"a"} {"email":"b"}`, "body", "must be a single JSON value"},
		{"trailing garbage", `{"email":"a"} x`, "body", "must be a single JSON value"},
		{"string for int", `{"items":[{"quantity":"2"}]}`, "items.quantity", "must be an integer"},
		{"float for int", `{"price":{"amount":19.99}}`, "price.amount", "must be an integer"},
		{"number for string", `{"email":42}`, "email", "must be a string"},
		{"string for bool", `{"active":"yes"}`, "active", "must be a boolean"},
		{"object for array", `{"items":{}}`, "items", "must be an array"},
		{"array for object", `[1,2]`, "body", "must be an object"},
		{"unknown field", `{"email":"a","role":"admin"}`, "role", "unknown field"},
		{"bad time", `{"at":"yesterday"}`, "body", "invalid value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bindBody(t, strings.NewReader(tc.body))
			var invalid *apperr.ValidationError
			if !errors.As(err, &invalid) || !errors.Is(err, apperr.ErrValidation) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if len(invalid.Fields) != 1 {
				t.Fatalf("fields = %+v, want one", invalid.Fields)
			}
			f := invalid.Fields[0]
			if f.Field != tc.field || !strings.HasPrefix(f.Message, tc.message) {
				t.Errorf("field error = %+v, want %s: %s...", f, tc.field, tc.message)
			}
		})
	}
}

func TestBindJSONNilBody(t *testing.T) {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, "/", nil)
	c.Request.Body = nil
	err := BindJSON(c, &bindTarget{})
	if !errors.Is(err, apperr.ErrValidation) {
		t.Fatalf("err = %v, want validation", err)
	}
}

func TestBindJSONReadFailureIsNotBlamedOnTheClient(t *testing.T) {
	readErr := errors.New("connection reset")
	_, err := bindBody(t, io.MultiReader(strings.NewReader(`{"email":`), failingReader{readErr}))
	if !errors.Is(err, readErr) || errors.Is(err, apperr.ErrValidation) {
		t.Fatalf("err = %v, want the read error", err)
	}
	if status, _ := Problem(err); status != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", status)
	}
}

func TestBindJSONTooLargeBody(t *testing.T) {
	for _, body := range []string{
		`{"email":"` + strings.Repeat("x", 100) + `"}`,    // the value itself is cut
		`{"email":"a"}` + strings.Repeat(" ", 100) + `{}`, // extra data past the value
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 32)
		err := BindJSON(c, &bindTarget{})
		if !errors.Is(err, apperr.ErrPayloadTooLarge) {
			t.Fatalf("err = %v, want ErrPayloadTooLarge", err)
		}
		if status, body := Problem(err); status != http.StatusRequestEntityTooLarge || body.Code != CodePayloadTooLarge {
			t.Errorf("Problem = %d %s", status, body.Code)
		}
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }
