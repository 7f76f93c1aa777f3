package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// IdempotencyKeyHeader is the header that makes a checkout idempotent.
const IdempotencyKeyHeader = "Idempotency-Key"

// quantityRequest is the body of PUT /cart/items/{id}. Quantity is a
// pointer so that a missing or null quantity is refused rather than read
// as 0, which removes the line.
type quantityRequest struct {
	Quantity *int64 `json:"quantity"`
}

type checkoutRequest struct {
	PaymentMethod   string      `json:"payment_method"`
	ShippingAddress addressJSON `json:"shipping_address"`
}

func (h *handlers) getCart(c *gin.Context) {
	view, err := h.svc.Cart(c, caller(c).UserID)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toCartJSON(view))
}

// putCartItem sets a quantity and answers with the cart as it now is.
func (h *handlers) putCartItem(c *gin.Context) {
	var req quantityRequest
	err := httpserver.BindJSON(c, &req)
	if err == nil && req.Quantity == nil {
		err = apperr.Validation(apperr.FieldError{Field: "quantity", Message: "is required (0 removes the line)"})
	}
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	shopper := caller(c).UserID
	if err := h.svc.SetCartItem(c, shopper, c.Param("product_id"), *req.Quantity); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	h.getCart(c)
}

func (h *handlers) clearCart(c *gin.Context) {
	if err := h.svc.ClearCart(c, caller(c).UserID); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// checkout answers 202 with the order, whose saga has just begun, and its
// Location; a replay of the same Idempotency-Key answers the same. Without
// a shipping_address the order ships to the shopper's default address,
// read from users with the shopper's own token.
func (h *handlers) checkout(c *gin.Context) {
	var req checkoutRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	in := domain.CheckoutRequest{PaymentMethod: req.PaymentMethod, ShippingAddress: domain.Address(req.ShippingAddress)}
	shopper := usecase.Shopper{ID: caller(c).UserID, Token: bearerToken(c)}
	o, err := h.svc.Checkout(c, shopper, c.GetHeader(IdempotencyKeyHeader), in)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Header("Location", "/api/v1/orders/"+o.ID)
	c.JSON(http.StatusAccepted, toOrderJSON(o))
}

func (h *handlers) listOrders(c *gin.Context) {
	p, limit, err := parsePage(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	orders, err := h.svc.Orders(c, caller(c).UserID, p)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, page(orders, limit, toOrderJSON))
}

func (h *handlers) getOrder(c *gin.Context) {
	o, err := h.svc.Order(c, caller(c).UserID, c.Param("id"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toOrderJSON(o))
}

func (h *handlers) cancelOrder(c *gin.Context) {
	o, err := h.svc.Cancel(c, caller(c).UserID, c.Param("id"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toOrderJSON(o))
}

func (h *handlers) listMerchantOrders(c *gin.Context) {
	p, limit, err := parsePage(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	merchantID := caller(c).MerchantID
	orders, err := h.svc.MerchantOrders(c, merchantID, p)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, page(orders, limit, func(o domain.Order) orderJSON { return toMerchantOrderJSON(o, merchantID) }))
}

func (h *handlers) shipOrder(c *gin.Context) {
	merchantID := caller(c).MerchantID
	o, err := h.svc.Ship(c, merchantID, c.Param("id"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toMerchantOrderJSON(o, merchantID))
}
