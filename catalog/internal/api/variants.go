package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// variantRequest is one variant of a create request, and the body of
// POST /api/v1/merchant/products/{id}/variants.
type variantRequest struct {
	SKU         string            `json:"sku"`
	Options     map[string]string `json:"options"`
	Price       *Money            `json:"price"`
	Stock       int64             `json:"stock"`
	WeightGrams *int64            `json:"weight_grams"`
}

func (r variantRequest) draft() domain.VariantDraft {
	d := domain.VariantDraft{SKU: r.SKU, Options: r.Options, Stock: r.Stock, WeightGrams: r.WeightGrams}
	if r.Price != nil {
		price := domain.Money(*r.Price)
		d.Price = &price
	}
	return d
}

// variantPatchRequest is the body of PATCH
// /api/v1/merchant/products/{id}/variants/{variant_id}.
type variantPatchRequest struct {
	SKU         *string `json:"sku"`
	Price       *Money  `json:"price"`
	WeightGrams *int64  `json:"weight_grams"`
}

func (h *Handlers) addVariant(c *gin.Context) {
	var req variantRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	v, err := h.svc.AddVariant(c, merchantID(c), c.Param("id"), req.draft())
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Header("Location", "/api/v1/merchant/products/"+url.PathEscape(v.ID))
	c.JSON(http.StatusCreated, NewMerchantProduct(v))
}

func (h *Handlers) updateVariant(c *gin.Context) {
	var req variantPatchRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	patch := domain.VariantPatch{SKU: req.SKU, WeightGrams: req.WeightGrams}
	if req.Price != nil {
		price := domain.Money(*req.Price)
		patch.Price = &price
	}
	v, err := h.svc.UpdateVariant(c, merchantID(c), c.Param("id"), c.Param("variant_id"), patch)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, NewMerchantProduct(v))
}
