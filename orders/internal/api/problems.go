package api

import (
	"encoding/json"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// writeError answers with the problem err maps to (httpserver.WriteError).
// A *domain.Problem (a discount or shipping conflict) keeps the status of
// its kind, 409, and shows its own stable code, such as discount_expired,
// instead of "conflict".
func writeError(c *gin.Context, err error) {
	code, ok := domain.ProblemCode(err)
	if !ok {
		httpserver.WriteError(c, err)
		return
	}
	status, body := httpserver.Problem(err)
	body.Code = code
	body.Instance = c.Request.URL.Path
	body.RequestID = c.Writer.Header().Get(httpserver.HeaderRequestID)
	encoded, marshalErr := json.Marshal(body)
	if marshalErr != nil { // cannot happen: ProblemBody holds strings and ints
		httpserver.WriteError(c, err)
		return
	}
	c.Data(status, httpserver.ContentTypeProblem, encoded)
	c.Abort()
}
