package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// List limits (docs/api.md).
const (
	defaultLimit = 20
	maxLimit     = 100
)

// parsePage reads limit and cursor. The store is asked for one order more
// than the limit, to know whether another page follows.
func parsePage(c *gin.Context) (domain.Page, int, error) {
	v := &apperr.ValidationError{}
	limit := defaultLimit
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			v.Add("limit", "must be an integer from 1 to 100")
		}
		limit = n
	}
	page := domain.Page{Limit: limit + 1}
	if raw := c.Query("cursor"); raw != "" {
		pos, ok := decodeCursor(raw)
		if !ok {
			v.Add("cursor", "is not a cursor this API returned")
		}
		page.After = &pos
	}
	return page, limit, v.Err()
}

// encodeCursor makes the opaque cursor of an order's list position.
func encodeCursor(o domain.Order) string {
	raw := strconv.FormatInt(o.CreatedAt.UnixMilli(), 10) + ":" + o.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (domain.Position, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return domain.Position{}, false
	}
	millis, id, ok := strings.Cut(string(b), ":")
	ms, err := strconv.ParseInt(millis, 10, 64)
	if !ok || err != nil || id == "" {
		return domain.Position{}, false
	}
	return domain.Position{CreatedAt: time.UnixMilli(ms).UTC(), ID: id}, true
}

// page turns up to limit+1 orders into a list page.
func page(orders []domain.Order, limit int, view func(domain.Order) orderJSON) listJSON {
	out := listJSON{Items: []orderJSON{}}
	if len(orders) > limit {
		orders = orders[:limit]
		out.NextCursor = encodeCursor(orders[limit-1])
	}
	for _, o := range orders {
		out.Items = append(out.Items, view(o))
	}
	return out
}
