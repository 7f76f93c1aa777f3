package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/logging"
)

// CodeUpstreamTimeout is the problem code of a 504: the upstream did not
// send its response headers within the breaker's timeout.
const CodeUpstreamTimeout = "upstream_timeout"

// StatusClientClosedRequest is recorded when the client went away before
// the upstream answered (nginx's convention); nobody reads the answer.
const StatusClientClosedRequest = 499

// dialFailureRetryAfter is the Retry-After of a failed call whose breaker
// is still closed.
const dialFailureRetryAfter = time.Second

// proxyError answers a request whose round trip failed, always with a
// problem+json body: 503 upstream_unavailable with Retry-After for an open
// breaker or an unreachable upstream, 504 upstream_timeout for a slow one,
// 413 payload_too_large for a chunked client body over the limit.
func (g *Gateway) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	call, _ := r.Context().Value(callKey{}).(*call)
	if call == nil { // cannot happen: every request goes through forward
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	c, upstreamName := call.gin, call.upstream
	ctx := c.Request.Context()

	var (
		open     *apperr.RetryableError
		tooLarge *http.MaxBytesError
	)
	bodyErr := call.body.failure()
	switch {
	case errors.As(err, &open):
		// The breaker logs its own state changes; one line per rejected
		// request would flood the log while it is open.
		g.logger.DebugContext(ctx, "upstream breaker open", "upstream", upstreamName)
		writeProblem(c, http.StatusServiceUnavailable, httpserver.CodeUpstreamUnavailable, open.Detail, open.RetryAfter)
	case errors.As(bodyErr, &tooLarge):
		// A chunked body over the limit, found out while streaming it.
		httpserver.WriteError(c, bodyErr)
	case bodyErr != nil:
		// The client stopped sending its body; nobody reads an answer.
		c.AbortWithStatus(StatusClientClosedRequest)
	case errors.Is(r.Context().Err(), context.Canceled):
		c.AbortWithStatus(StatusClientClosedRequest)
	case isTimeout(err):
		g.logger.WarnContext(ctx, "upstream timed out", "upstream", upstreamName, "error", err.Error())
		writeProblem(c, http.StatusGatewayTimeout, CodeUpstreamTimeout, upstreamName+" did not answer in time", 0)
	default:
		g.logger.WarnContext(ctx, "upstream unreachable", "upstream", upstreamName, "error", err.Error())
		writeProblem(c, http.StatusServiceUnavailable, httpserver.CodeUpstreamUnavailable, upstreamName+" unavailable", dialFailureRetryAfter)
	}
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// writeProblem writes the problem document in httpserver's shape, with
// Retry-After in whole seconds (rounded up) when retryAfter is positive.
func writeProblem(c *gin.Context, status int, code, detail string, retryAfter time.Duration) {
	body := httpserver.ProblemBody{
		Type:      "about:blank",
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  c.Request.URL.Path,
		Code:      code,
		RequestID: logging.RequestID(c.Request.Context()),
	}
	if retryAfter > 0 {
		seconds := max(1, int(math.Ceil(retryAfter.Seconds())))
		c.Header("Retry-After", strconv.Itoa(seconds))
	}
	encoded, err := json.Marshal(body)
	if err != nil { // cannot happen: ProblemBody holds strings and ints
		encoded = []byte(`{"type":"about:blank","status":502,"code":"internal"}`)
	}
	c.Data(status, httpserver.ContentTypeProblem, encoded)
	c.Abort()
}
