// Package api is the orders service's HTTP API (docs/api.md): the cart,
// checkout, the shopper's orders and the merchant's orders. Handlers
// translate HTTP to use cases; errors go through httpserver.WriteError.
package api

import (
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/orders/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// handlers serves the routes.
type handlers struct {
	svc *usecase.Service
}

// Register adds the orders API to r (with the cart's discount codes and
// the merchant's codes and shipping rates). Cart and checkout need the shopper
// role; a shopper's orders need only a valid token, since anyone but the
// owner (another shopper, a merchant) gets 404; merchant routes need the
// merchant role and a merchant tenant.
func Register(r gin.IRouter, svc *usecase.Service, verifier *auth.Verifier) {
	h := &handlers{svc: svc}
	v1 := r.Group("/api/v1", verifier.Require())

	shopper := v1.Group("", auth.RequireRole(auth.RoleShopper))
	shopper.GET("/cart", h.getCart)
	shopper.PUT("/cart/items/:product_id", h.putCartItem)
	shopper.DELETE("/cart", h.clearCart)
	shopper.POST("/cart/discount", h.applyCode)
	shopper.DELETE("/cart/discount", h.removeCode)
	shopper.DELETE("/cart/discount/:code", h.removeCode)
	shopper.POST("/checkout", h.checkout)

	v1.GET("/orders", h.listOrders)
	v1.GET("/orders/:id", h.getOrder)
	v1.POST("/orders/:id/cancel", h.cancelOrder)

	merchant := v1.Group("/merchant", auth.RequireRole(auth.RoleMerchant), requireMerchantTenant)
	merchant.GET("/orders", h.listMerchantOrders)
	merchant.POST("/orders/:id/ship", h.shipOrder)
	merchant.GET("/discounts", h.listCodes)
	merchant.POST("/discounts", h.createCode)
	merchant.GET("/discounts/:code", h.getCode)
	merchant.PUT("/discounts/:code", h.updateCode)
	merchant.DELETE("/discounts/:code", h.deleteCode)
	merchant.GET("/shipping", h.getRates)
	merchant.PUT("/shipping", h.putRates)
	merchant.DELETE("/shipping", h.deleteRates)
}

// caller is the authenticated caller; the middleware guarantees one.
func caller(c *gin.Context) auth.Caller {
	cl, _ := auth.CallerFrom(c.Request.Context())
	return cl
}

// bearerToken is the caller's access token, which the auth middleware has
// verified; checkout forwards it to users to read the default address.
func bearerToken(c *gin.Context) string {
	_, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	return strings.TrimSpace(token)
}

// requireMerchantTenant refuses a merchant token without a merchant id.
func requireMerchantTenant(c *gin.Context) {
	if !caller(c).IsMerchant() {
		httpserver.WriteError(c, fmt.Errorf("%w: the token names no merchant", apperr.ErrForbidden))
		return
	}
	c.Next()
}
