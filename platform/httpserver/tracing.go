package httpserver

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the server spans' instrumentation scope.
const tracerName = "github.com/mercato-shop/mercato/platform/httpserver"

// traceRequests runs each request in a server span named by its method and
// route, a child of the incoming traceparent (a new trace without one), and
// puts the span in the request context: logs written with it carry trace_id,
// and calls and events made under it carry its traceparent. Probes are not
// traced.
func traceRequests() gin.HandlerFunc {
	return func(c *gin.Context) {
		route := c.FullPath()
		if probePaths[route] {
			c.Next()
			return
		}
		name := c.Request.Method
		if route != "" {
			name += " " + route
		}
		ctx := otel.GetTextMapPropagator().Extract(c.Request.Context(), propagation.HeaderCarrier(c.Request.Header))
		ctx, span := otel.Tracer(tracerName).Start(ctx, name,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(
				attribute.String("http.request.method", c.Request.Method),
				attribute.String("http.route", route),
			))
		defer span.End()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
		status := c.Writer.Status()
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
	}
}
