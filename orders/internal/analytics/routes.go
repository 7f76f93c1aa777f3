package analytics

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// Routes adds GET /api/v1/merchant/analytics/summary and
// GET /api/v1/merchant/analytics/stream to r. Mount them behind the token
// check and auth.RequireRole("merchant"): the merchant is always the
// caller's own.
func (m *Model) Routes(r gin.IRouter) {
	r.GET("/api/v1/merchant/analytics/summary", m.summaryHandler)
	r.GET("/api/v1/merchant/analytics/stream", m.streamHandler)
}

// callerMerchant is the verified caller's merchant id, or an error for a
// caller that is not a merchant.
func callerMerchant(c *gin.Context) (string, error) {
	caller, ok := auth.CallerFrom(c.Request.Context())
	if !ok {
		return "", fmt.Errorf("%w: sign in as a merchant", apperr.ErrUnauthorized)
	}
	if !caller.IsMerchant() {
		return "", fmt.Errorf("%w: only merchants have sales analytics", apperr.ErrForbidden)
	}
	return caller.MerchantID, nil
}

func (m *Model) summaryHandler(c *gin.Context) {
	merchant, err := callerMerchant(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	sum, err := m.Summary(c, merchant)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, sum)
}
