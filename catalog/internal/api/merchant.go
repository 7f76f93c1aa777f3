package api

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// createRequest is the body of POST /api/v1/merchant/products. It has no
// id, owner, stock counters or timestamps: unknown fields are refused.
type createRequest struct {
	SKU         string   `json:"sku"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Category    string   `json:"category"`
	Price       Money    `json:"price"`
	Stock       int64    `json:"stock"`
	Images      []string `json:"images"`
	WeightGrams int64    `json:"weight_grams"`
	// Options and Variants make a product with variants (both or neither).
	Options  []OptionJSON     `json:"options"`
	Variants []variantRequest `json:"variants"`
}

// patchRequest is the body of PATCH /api/v1/merchant/products/{id}; absent
// fields stay as they are.
type patchRequest struct {
	SKU         *string   `json:"sku"`
	Name        *string   `json:"name"`
	Description *string   `json:"description"`
	Category    *string   `json:"category"`
	Price       *Money    `json:"price"`
	Images      *[]string `json:"images"`
	WeightGrams *int64    `json:"weight_grams"`
}

// stockRequest is the body of POST /api/v1/merchant/products/{id}/stock.
type stockRequest struct {
	Delta *int64 `json:"delta"`
}

// ownListResponse is a page of the merchant's own products.
type ownListResponse struct {
	Items      []MerchantProduct `json:"items"`
	NextCursor string            `json:"next_cursor"`
}

func (h *Handlers) createProduct(c *gin.Context) {
	var req createRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	d := domain.Draft{
		SKU: req.SKU, Name: req.Name, Description: req.Description, Category: req.Category,
		Price: domain.Money(req.Price), Stock: req.Stock, Images: req.Images,
		WeightGrams: req.WeightGrams,
	}
	for _, o := range req.Options {
		d.Options = append(d.Options, domain.Option{Name: o.Name, Values: o.Values})
	}
	for _, v := range req.Variants {
		d.Variants = append(d.Variants, v.draft())
	}
	p, err := h.svc.CreateProduct(c, merchantID(c), d)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Header("Location", "/api/v1/merchant/products/"+url.PathEscape(p.ID))
	c.JSON(http.StatusCreated, NewMerchantProduct(h.svc.Shown(p)))
}

func (h *Handlers) listOwnProducts(c *gin.Context) {
	values := c.Request.URL.Query()
	v := &apperr.ValidationError{}
	limit := domain.ParseLimit(v, values)
	var after *domain.Cursor
	if raw := values.Get("cursor"); raw != "" {
		cur, err := domain.DecodeCursor(raw)
		if err != nil || cur.Sort != domain.SortNewest {
			v.Add("cursor", "is not a cursor this service issued")
		} else {
			after = &cur
		}
	}
	if err := v.Err(); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	products, next := h.svc.OwnedProducts(merchantID(c), limit, after)
	resp := ownListResponse{Items: make([]MerchantProduct, len(products))}
	for i, p := range products {
		resp.Items[i] = NewMerchantProduct(p)
	}
	if next != nil {
		resp.NextCursor = next.Encode()
	}
	c.JSON(http.StatusOK, resp)
}

func (h *Handlers) getOwnProduct(c *gin.Context) {
	p, err := h.svc.OwnedProduct(c, merchantID(c), c.Param("id"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, NewMerchantProduct(h.svc.Shown(p)))
}

func (h *Handlers) updateProduct(c *gin.Context) {
	var req patchRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	patch := domain.Patch{SKU: req.SKU, Name: req.Name, Description: req.Description, Category: req.Category, Images: req.Images, WeightGrams: req.WeightGrams}
	if req.Price != nil {
		price := domain.Money(*req.Price)
		patch.Price = &price
	}
	p, err := h.svc.UpdateProduct(c, merchantID(c), c.Param("id"), patch)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, NewMerchantProduct(h.svc.Shown(p)))
}

func (h *Handlers) archiveProduct(c *gin.Context) {
	if err := h.svc.ArchiveProduct(c, merchantID(c), c.Param("id")); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handlers) restock(c *gin.Context) {
	var req stockRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	if req.Delta == nil {
		httpserver.WriteError(c, apperr.Validation(apperr.FieldError{Field: "delta", Message: "is required"}))
		return
	}
	p, err := h.svc.Restock(c, merchantID(c), c.Param("id"), *req.Delta)
	if err != nil {
		httpserver.WriteError(c, fmt.Errorf("restock: %w", err))
		return
	}
	c.JSON(http.StatusOK, NewMerchantProduct(p))
}
