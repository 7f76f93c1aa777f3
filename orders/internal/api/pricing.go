package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// codeRequest is the body of POST /cart/discount.
type codeRequest struct {
	Code string `json:"code"`
}

// discountJSON is a merchant's discount code as answered. Money fields are
// integer minor units of currency.
type discountJSON struct {
	MerchantID      string     `json:"merchant_id,omitempty"`
	Code            string     `json:"code"`
	Kind            string     `json:"kind"`
	Percent         int64      `json:"percent,omitempty"`
	AmountOff       int64      `json:"amount_off,omitempty"`
	Currency        string     `json:"currency"`
	MinSubtotal     int64      `json:"min_subtotal"`
	StartsAt        *time.Time `json:"starts_at,omitempty"`
	EndsAt          *time.Time `json:"ends_at,omitempty"`
	UsageLimit      int64      `json:"usage_limit"`
	PerShopperLimit int64      `json:"per_shopper_limit"`
	Used            int64      `json:"used"`
	CreatedAt       *time.Time `json:"created_at,omitempty"`
	UpdatedAt       *time.Time `json:"updated_at,omitempty"`
}

// discountRequest is what a merchant sends to create or replace a code.
type discountRequest struct {
	Code            string     `json:"code"`
	Kind            string     `json:"kind"`
	Percent         int64      `json:"percent"`
	AmountOff       int64      `json:"amount_off"`
	Currency        string     `json:"currency"`
	MinSubtotal     int64      `json:"min_subtotal"`
	StartsAt        *time.Time `json:"starts_at"`
	EndsAt          *time.Time `json:"ends_at"`
	UsageLimit      int64      `json:"usage_limit"`
	PerShopperLimit int64      `json:"per_shopper_limit"`
}

func (r discountRequest) domain() domain.Discount {
	d := domain.Discount{Code: r.Code, Kind: domain.DiscountKind(r.Kind), Percent: r.Percent, AmountOff: r.AmountOff,
		Currency: r.Currency, MinSubtotal: r.MinSubtotal, UsageLimit: r.UsageLimit, PerShopperLimit: r.PerShopperLimit}
	if r.StartsAt != nil {
		d.StartsAt = r.StartsAt.UTC().Truncate(time.Millisecond)
	}
	if r.EndsAt != nil {
		d.EndsAt = r.EndsAt.UTC().Truncate(time.Millisecond)
	}
	return d
}

func optional(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toDiscountJSON(d domain.Discount) discountJSON {
	return discountJSON{MerchantID: d.MerchantID, Code: d.Code, Kind: string(d.Kind), Percent: d.Percent, AmountOff: d.AmountOff,
		Currency: d.Currency, MinSubtotal: d.MinSubtotal, StartsAt: optional(d.StartsAt), EndsAt: optional(d.EndsAt),
		UsageLimit: d.UsageLimit, PerShopperLimit: d.PerShopperLimit, Used: d.Used, CreatedAt: optional(d.CreatedAt),
		UpdatedAt: optional(d.UpdatedAt)}
}

// bandJSON is a weight band; to_grams is left out of an open last band.
type bandJSON struct {
	FromGrams int64 `json:"from_grams"`
	ToGrams   int64 `json:"to_grams,omitempty"`
	Amount    int64 `json:"amount"`
}

// ratesJSON is a merchant's shipping rate table (PUT body and answer).
type ratesJSON struct {
	MerchantID string     `json:"merchant_id,omitempty"`
	Kind       string     `json:"kind"`
	Currency   string     `json:"currency"`
	Amount     int64      `json:"amount,omitempty"`
	FreeAbove  int64      `json:"free_above,omitempty"`
	Bands      []bandJSON `json:"bands,omitempty"`
	UpdatedAt  *time.Time `json:"updated_at,omitempty"`
}

// ratesRequest is the body of PUT /merchant/shipping.
type ratesRequest struct {
	Kind      string     `json:"kind"`
	Currency  string     `json:"currency"`
	Amount    int64      `json:"amount"`
	FreeAbove int64      `json:"free_above"`
	Bands     []bandJSON `json:"bands"`
}

func toRatesJSON(r domain.ShippingRates) ratesJSON {
	out := ratesJSON{MerchantID: r.MerchantID, Kind: string(r.Kind), Currency: r.Currency, Amount: r.Amount,
		FreeAbove: r.FreeAbove, UpdatedAt: optional(r.UpdatedAt)}
	for _, b := range r.Bands {
		out.Bands = append(out.Bands, bandJSON(b))
	}
	return out
}

// applyCode applies a code to the cart and answers with the cart.
func (h *handlers) applyCode(c *gin.Context) {
	var req codeRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	if err := h.svc.ApplyCode(c, caller(c).UserID, req.Code); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	h.getCart(c)
}

// removeCode removes one code (DELETE /cart/discount/{code}) or all of
// them (DELETE /cart/discount) and answers with the cart.
func (h *handlers) removeCode(c *gin.Context) {
	if err := h.svc.RemoveCode(c, caller(c).UserID, c.Param("code")); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	h.getCart(c)
}

func (h *handlers) listCodes(c *gin.Context) {
	limit, after, err := parseCodePage(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	codes, err := h.svc.Codes(c, caller(c).MerchantID, after, limit+1)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	out := struct {
		Items      []discountJSON `json:"items"`
		NextCursor string         `json:"next_cursor"`
	}{Items: []discountJSON{}}
	if len(codes) > limit {
		codes = codes[:limit]
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(codes[limit-1].Code))
	}
	for _, d := range codes {
		out.Items = append(out.Items, toDiscountJSON(d))
	}
	c.JSON(http.StatusOK, out)
}

// parseCodePage reads limit (1–100, default 20) and the cursor of a list
// of codes (the last code shown).
func parseCodePage(c *gin.Context) (int, string, error) {
	v := &apperr.ValidationError{}
	limit := defaultLimit
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			v.Add("limit", "must be an integer from 1 to 100")
		}
		limit = n
	}
	after := ""
	if raw := c.Query("cursor"); raw != "" {
		b, err := base64.RawURLEncoding.DecodeString(raw)
		if err != nil || domain.ValidateCode(string(b)) != nil {
			v.Add("cursor", "is not a cursor this API returned")
		}
		after = string(b)
	}
	return limit, after, v.Err()
}

func (h *handlers) createCode(c *gin.Context) {
	var req discountRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	d, err := h.svc.CreateCode(c, caller(c).MerchantID, req.domain())
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Header("Location", "/api/v1/merchant/discounts/"+d.Code)
	c.JSON(http.StatusCreated, toDiscountJSON(d))
}

func (h *handlers) getCode(c *gin.Context) {
	d, err := h.svc.Code(c, caller(c).MerchantID, c.Param("code"))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toDiscountJSON(d))
}

// updateCode replaces a code's settings; the code in the body, if any,
// must be the one in the path.
func (h *handlers) updateCode(c *gin.Context) {
	var req discountRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	code := domain.NormalizeCode(c.Param("code"))
	if req.Code != "" && domain.NormalizeCode(req.Code) != code {
		httpserver.WriteError(c, apperr.Validation(apperr.FieldError{Field: "code", Message: "must be the code of the path (a code cannot be renamed)"}))
		return
	}
	req.Code = code
	d, err := h.svc.UpdateCode(c, caller(c).MerchantID, req.domain())
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toDiscountJSON(d))
}

func (h *handlers) deleteCode(c *gin.Context) {
	if err := h.svc.DeleteCode(c, caller(c).MerchantID, c.Param("code")); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handlers) getRates(c *gin.Context) {
	r, err := h.svc.ShippingRates(c, caller(c).MerchantID)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toRatesJSON(r))
}

func (h *handlers) putRates(c *gin.Context) {
	var req ratesRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	in := domain.ShippingRates{Kind: domain.RateKind(req.Kind), Currency: req.Currency, Amount: req.Amount, FreeAbove: req.FreeAbove}
	for _, b := range req.Bands {
		in.Bands = append(in.Bands, domain.WeightBand(b))
	}
	r, err := h.svc.SetShippingRates(c, caller(c).MerchantID, in)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, toRatesJSON(r))
}

func (h *handlers) deleteRates(c *gin.Context) {
	if err := h.svc.DeleteShippingRates(c, caller(c).MerchantID); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
