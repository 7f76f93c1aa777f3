// Package api serves the analytics HTTP API, behind the token check:
//
//	GET /api/v1/merchant/analytics/summary    today's sales (the earlier summary)
//	GET /api/v1/merchant/analytics/dashboard  the whole dashboard
//	GET /api/v1/merchant/analytics/stream     the dashboard live, Server-Sent Events
//	GET /api/v1/merchant/reports/sales        ?from=&to=&format=csv|json, streamed
//
// A merchant always gets its own figures (a merchant_id parameter is
// ignored); an admin gets the whole platform's, or one merchant's with
// merchant_id; anyone else is refused.
package api

import (
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/analytics/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// Defaults of Options.
const (
	DefaultRefreshInterval   = 500 * time.Millisecond
	DefaultHeartbeatInterval = 15 * time.Second
)

// Options configure the API.
type Options struct {
	// RefreshInterval is how often an open stream looks for changes made
	// by other instances (default 500 ms); HeartbeatInterval how often an
	// idle stream sends a comment (default 15 s).
	RefreshInterval   time.Duration
	HeartbeatInterval time.Duration
}

// API holds the handlers.
type API struct {
	svc  *usecase.Service
	opts Options
}

// Register mounts the routes on r; put r behind the token check.
func Register(r gin.IRouter, svc *usecase.Service, opts Options) *API {
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = DefaultHeartbeatInterval
	}
	a := &API{svc: svc, opts: opts}
	r.GET("/api/v1/merchant/analytics/summary", a.summary)
	r.GET("/api/v1/merchant/analytics/dashboard", a.dashboard)
	r.GET("/api/v1/merchant/analytics/stream", a.stream)
	r.GET("/api/v1/merchant/reports/sales", a.salesReport)
	return a
}

var merchantPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// owner is whose figures the caller sees.
func owner(c *gin.Context) (string, error) {
	caller, ok := auth.CallerFrom(c.Request.Context())
	if !ok {
		return "", fmt.Errorf("%w: sign in as a merchant", apperr.ErrUnauthorized)
	}
	switch {
	case caller.IsMerchant():
		return caller.MerchantID, nil
	case caller.IsAdmin():
		if m := c.Query("merchant_id"); m != "" {
			if !merchantPattern.MatchString(m) {
				return "", apperr.Validation(apperr.FieldError{Field: "merchant_id", Message: "must be a merchant id"})
			}
			return m, nil
		}
		return domain.Platform, nil
	}
	return "", fmt.Errorf("%w: only merchants and admins have analytics", apperr.ErrForbidden)
}

// Summary is the body of /summary: today's sales as earlier versions
// served them.
type Summary struct {
	MerchantID      string               `json:"merchant_id"`
	Day             string               `json:"day"`
	OrdersToday     int64                `json:"orders_today"`
	RevenueToday    []domain.Money       `json:"revenue_today"`
	UnitsToday      int64                `json:"units_today"`
	OrdersPerMinute []domain.MinuteCount `json:"orders_per_minute"`
	OrdersLastHour  int64                `json:"orders_last_hour"`
	TopProducts     []domain.TopProduct  `json:"top_products"`
	LatestOrders    []domain.SaleView    `json:"latest_orders"`
}

func (a *API) summary(c *gin.Context) {
	who, err := owner(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	d, err := a.svc.Dashboard(c, who)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, Summary{
		MerchantID: d.MerchantID, Day: d.Day, OrdersToday: d.OrdersToday, RevenueToday: d.RevenueToday,
		UnitsToday: d.UnitsToday, OrdersPerMinute: d.OrdersPerMinute, OrdersLastHour: d.OrdersLastHour,
		TopProducts: d.TopProducts, LatestOrders: d.LatestOrders,
	})
}

func (a *API) dashboard(c *gin.Context) {
	who, err := owner(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	d, err := a.svc.Dashboard(c, who)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, d)
}
