package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

const contentTypeJSON = "application/json; charset=utf-8"

// listProducts serves GET /api/v1/products: browse and search, or with
// ids=a,b,c a batch read of those products (for orders at checkout).
func (h *Handlers) listProducts(c *gin.Context) {
	values := c.Request.URL.Query()
	if raw, ok := values["ids"]; ok {
		ids, err := domain.ParseIDs(firstOf(raw))
		if err != nil {
			httpserver.WriteError(c, err)
			return
		}
		c.Data(http.StatusOK, contentTypeJSON, itemsJSON(h.model.PublicBatch(ids), ""))
		return
	}
	q, err := domain.ParseQuery(values)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	page := h.model.Search(q)
	next := ""
	if page.Next != nil {
		next = page.Next.Encode()
	}
	c.Data(http.StatusOK, contentTypeJSON, itemsJSON(page.Items, next))
}

// getProduct serves GET /api/v1/products/{id}; archived products are 404.
func (h *Handlers) getProduct(c *gin.Context) {
	body, ok := h.model.PublicJSON(c.Param("id"))
	if !ok {
		httpserver.WriteError(c, fmt.Errorf("product: %w", apperr.ErrNotFound))
		return
	}
	c.Data(http.StatusOK, contentTypeJSON, body)
}

// listCategories serves GET /api/v1/categories.
func (h *Handlers) listCategories(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": h.model.Categories()})
}

// itemsJSON is {"items": [...], "next_cursor": "..."} of pre-rendered
// items, assembled without encoding them again.
func itemsJSON(items [][]byte, next string) []byte {
	size := 40 + len(next)
	for _, it := range items {
		size += len(it) + 1
	}
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(`{"items":[`)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteString(`],"next_cursor":`)
	cursor, _ := json.Marshal(next) // a string cannot fail
	b.Write(cursor)
	b.WriteByte('}')
	return b.Bytes()
}

func firstOf(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}
