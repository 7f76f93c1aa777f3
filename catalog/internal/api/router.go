package api

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// Handlers serve the catalog's routes.
type Handlers struct {
	svc   *usecase.Service
	model *readmodel.Model
}

// Register mounts the catalog's routes on r: public reads, a shopper's
// review (reviews.go), and the merchant's routes behind verifier (a valid
// token of a merchant).
func Register(r gin.IRouter, svc *usecase.Service, model *readmodel.Model, verifier *auth.Verifier) {
	h := &Handlers{svc: svc, model: model}
	r.GET("/api/v1/products", h.listProducts)
	r.GET("/api/v1/products/:id", h.getProduct)
	r.GET("/api/v1/products/:id/reviews", h.listReviews)
	r.POST("/api/v1/products/:id/reviews", verifier.Require(), auth.RequireRole(auth.RoleShopper), h.postReview)
	r.GET("/api/v1/categories", h.listCategories)

	m := r.Group("/api/v1/merchant/products", verifier.Require(), auth.RequireRole(auth.RoleMerchant), requireTenant)
	m.POST("", h.createProduct)
	m.GET("", h.listOwnProducts)
	m.GET("/:id", h.getOwnProduct)
	m.PATCH("/:id", h.updateProduct)
	m.DELETE("/:id", h.archiveProduct)
	m.POST("/:id/stock", h.restock)
	m.POST("/:id/variants", h.addVariant)
	m.PATCH("/:id/variants/:variant_id", h.updateVariant)
	m.POST("/:id/reviews/:review_id/reply", h.replyToReview)
}

// requireTenant refuses a merchant token without a merchant id.
func requireTenant(c *gin.Context) {
	if caller, _ := auth.CallerFrom(c); caller.MerchantID == "" {
		httpserver.WriteError(c, fmt.Errorf("%w: the token names no merchant", apperr.ErrForbidden))
		return
	}
	c.Next()
}

// merchantID is the caller's merchant id, from the verified token only.
func merchantID(c *gin.Context) string {
	caller, _ := auth.CallerFrom(c)
	return caller.MerchantID
}
