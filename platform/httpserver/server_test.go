package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/platform/health"
	"github.com/mercato-shop/mercato/platform/logging"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func newTestServer(t *testing.T, opts Options) (*Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	opts.Service = "test"
	opts.Logger = logging.New("test", "debug", logs)
	return New(opts), logs
}

func serve(s *Server, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.Router().ServeHTTP(rec, req)
	return rec
}

func decodeProblem(t *testing.T, rec *httptest.ResponseRecorder) ProblemBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != ContentTypeProblem {
		t.Errorf("Content-Type = %q, want %s", ct, ContentTypeProblem)
	}
	var body ProblemBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("problem %q: %v", rec.Body.String(), err)
	}
	return body
}

func TestRequestID(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	var seen []string
	s.Router().GET("/id", func(c *gin.Context) {
		seen = append(seen, logging.RequestID(c.Request.Context()), logging.RequestID(c))
		c.Status(http.StatusNoContent)
	})
	cases := []struct {
		name, incoming string
		kept           bool
	}{
		{"sane id kept", "abc-123_x.Y", true},
		{"128 chars kept", strings.Repeat("a", 128), true},
		{"missing generated", "", false},
		{"too long replaced", strings.Repeat("a", 129), false},
		{"bad characters replaced", "abc\r\nX-Evil: 1", false},
		{"space replaced", "a b", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seen = nil
			req := httptest.NewRequest(http.MethodGet, "/id", nil)
			if tc.incoming != "" {
				req.Header[http.CanonicalHeaderKey(HeaderRequestID)] = []string{tc.incoming}
			}
			rec := serve(s, req)
			got := rec.Header().Get(HeaderRequestID)
			if tc.kept && got != tc.incoming {
				t.Errorf("echoed %q, want %q", got, tc.incoming)
			}
			if !tc.kept {
				if _, err := uuid.Parse(got); err != nil {
					t.Errorf("generated id %q is not a uuid", got)
				}
			}
			if len(seen) != 2 || seen[0] != got || seen[1] != got {
				t.Errorf("handler saw %v, want %q twice", seen, got)
			}
		})
	}
}

func TestPanicAnswers500AndIsLoggedAndCounted(t *testing.T) {
	s, logs := newTestServer(t, Options{})
	s.Router().GET("/boom", func(*gin.Context) { panic("kaboom") })
	rec := serve(s, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d", rec.Code)
	}
	body := decodeProblem(t, rec)
	if body.Code != CodeInternal || strings.Contains(rec.Body.String(), "kaboom") {
		t.Errorf("problem = %s", rec.Body.String())
	}
	var panicLine, accessLine map[string]any
	for _, l := range logs.lines(t) {
		switch l["msg"] {
		case "panic while handling request":
			panicLine = l
		case "http request":
			accessLine = l
		}
	}
	if panicLine == nil || panicLine["panic"] != "kaboom" || !strings.Contains(panicLine["stack"].(string), "server_test.go") {
		t.Errorf("panic log = %v", panicLine)
	}
	if accessLine == nil || accessLine["status"] != float64(500) || accessLine["level"] != "ERROR" {
		t.Errorf("access log = %v", accessLine)
	}
	metricsBody := serve(s, httptest.NewRequest(http.MethodGet, "/metrics", nil)).Body.String()
	want := `mercato_http_requests_total{method="GET",route="/boom",service="test",status="500"} 1`
	if !strings.Contains(metricsBody, want) {
		t.Errorf("/metrics lacks %s", want)
	}
}

func TestAccessLogLine(t *testing.T) {
	s, logs := newTestServer(t, Options{})
	s.Router().GET("/products/:id", func(c *gin.Context) { c.String(http.StatusOK, "hello") })
	req := httptest.NewRequest(http.MethodGet, "/products/p9?x=1", nil)
	req.Header.Set(HeaderRequestID, "req-7")
	req.RemoteAddr = "192.0.2.10:5555"
	serve(s, req)
	lines := logs.lines(t)
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1", len(lines))
	}
	l := lines[0]
	want := map[string]any{"msg": "http request", "method": "GET", "route": "/products/:id", "path": "/products/p9",
		"status": float64(200), "bytes": float64(5), "request_id": "req-7", "client_ip": "192.0.2.10", "service": "test"}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("log[%s] = %v, want %v", k, l[k], v)
		}
	}
	if _, ok := l["duration_ms"].(float64); !ok {
		t.Errorf("log lacks duration_ms: %v", l)
	}
}

func TestNoRouteAndNoMethod(t *testing.T) {
	s, _ := newTestServer(t, Options{})
	s.Router().GET("/things", func(c *gin.Context) { c.Status(http.StatusOK) })

	rec := serve(s, httptest.NewRequest(http.MethodGet, "/nowhere", nil))
	if body := decodeProblem(t, rec); rec.Code != http.StatusNotFound || body.Code != CodeNotFound || body.RequestID == "" {
		t.Errorf("404 = %d %+v", rec.Code, body)
	}
	rec = serve(s, httptest.NewRequest(http.MethodDelete, "/things", nil))
	if body := decodeProblem(t, rec); rec.Code != http.StatusMethodNotAllowed || body.Code != CodeMethodNotAllowed {
		t.Errorf("405 = %d %+v", rec.Code, body)
	}
	if allow := rec.Header().Get("Allow"); allow != "GET" {
		t.Errorf("Allow = %q, want GET", allow)
	}
}

func TestBodyLimit(t *testing.T) {
	s, _ := newTestServer(t, Options{MaxBodyBytes: 64})
	reached := 0
	s.Router().POST("/gin-bind", func(c *gin.Context) {
		reached++
		var v map[string]any
		if err := c.ShouldBindJSON(&v); err != nil {
			WriteError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
	s.Router().POST("/bind", func(c *gin.Context) {
		reached++
		var v map[string]any
		if err := BindJSON(c, &v); err != nil {
			WriteError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
	big := `{"k":"` + strings.Repeat("x", 100) + `"}`

	t.Run("content-length over the limit is refused before the handler", func(t *testing.T) {
		reached = 0
		rec := serve(s, httptest.NewRequest(http.MethodPost, "/bind", strings.NewReader(big)))
		if body := decodeProblem(t, rec); rec.Code != http.StatusRequestEntityTooLarge || body.Code != CodePayloadTooLarge {
			t.Errorf("answer = %d %+v", rec.Code, body)
		}
		if reached != 0 {
			t.Error("handler ran for an oversized Content-Length")
		}
	})
	for _, path := range []string{"/gin-bind", "/bind"} {
		t.Run("streamed body over the limit via "+path, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, path, io.MultiReader(strings.NewReader(big)))
			req.ContentLength = -1 // chunked: unknown up front
			rec := serve(s, req)
			if body := decodeProblem(t, rec); rec.Code != http.StatusRequestEntityTooLarge || body.Code != CodePayloadTooLarge {
				t.Errorf("answer = %d %+v", rec.Code, body)
			}
		})
		t.Run("small body passes via "+path, func(t *testing.T) {
			rec := serve(s, httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"k":"v"}`)))
			if rec.Code != http.StatusNoContent {
				t.Errorf("status = %d: %s", rec.Code, rec.Body.String())
			}
		})
	}
}

func TestProbesAndMetricsEndpoints(t *testing.T) {
	s, logs := newTestServer(t, Options{Checks: []health.Check{
		{Name: "mongo", Probe: func(context.Context) error { return nil }},
		{Name: "kafka", Probe: func(context.Context) error { return errors.New("dial tcp: connection refused") }},
	}})
	rec := serve(s, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"status":"ok"`) {
		t.Errorf("/healthz = %d %s", rec.Code, rec.Body.String())
	}
	rec = serve(s, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"kafka":"dial tcp: connection refused"`) ||
		!strings.Contains(rec.Body.String(), `"mongo":"ok"`) {
		t.Errorf("/readyz = %d %s", rec.Code, rec.Body.String())
	}
	rec = serve(s, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `mercato_http_requests_total{method="GET",route="/readyz",service="test",status="503"} 1`) {
		t.Errorf("/metrics = %d, lacks the /readyz count", rec.Code)
	}
	for _, l := range logs.lines(t) {
		if l["route"] == "/healthz" && l["level"] != "DEBUG" {
			t.Errorf("probe logged at %v, want DEBUG", l["level"])
		}
	}
}
