package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/auth/claims"
)

// productPath is the built-in upstream's product read, the default path.
const productPath = "/api/v1/products/6650c0ffee0000000000002a"

// product is shaped like the catalog's product document; its JSON is about
// 1 KB.
type product struct {
	ID          string            `json:"id"`
	MerchantID  string            `json:"merchant_id"`
	SKU         string            `json:"sku"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Category    string            `json:"category"`
	PriceCents  int64             `json:"price_cents"`
	Currency    string            `json:"currency"`
	Stock       int               `json:"stock"`
	Images      []string          `json:"images"`
	Attributes  map[string]string `json:"attributes"`
	Tags        []string          `json:"tags"`
	Status      string            `json:"status"`
	Version     int               `json:"version"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

var sample = product{
	MerchantID:  "6650c0ffee00000000000001",
	SKU:         "AUD-WH-1000-BLK",
	Name:        "Wireless Headphones 1000, noise cancelling, black",
	Description: "Over-ear wireless headphones with active noise cancelling, 30 hours of battery life, fast charging over USB-C, multipoint Bluetooth 5.3 and a foldable design that fits the supplied hard case. Includes a 1.2 m audio cable and an airplane adapter.",
	Category:    "audio",
	PriceCents:  24999,
	Currency:    "EUR",
	Stock:       137,
	Images:      []string{"/images/aud-wh-1000-blk-front.webp", "/images/aud-wh-1000-blk-side.webp", "/images/aud-wh-1000-blk-case.webp"},
	Attributes:  map[string]string{"colour": "black", "connectivity": "bluetooth 5.3", "battery_hours": "30", "weight_g": "254", "warranty": "2 years"},
	Tags:        []string{"wireless", "headphones", "noise-cancelling", "over-ear", "bluetooth"},
	Status:      "active",
	Version:     3,
	CreatedAt:   time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC),
	UpdatedAt:   time.Date(2025, 6, 2, 17, 4, 11, 0, time.UTC),
}

// startUpstream serves the product read (any id), a product list, a
// signed-in user's profile, /readyz and the JWKS of benchToken's key (for
// the gateway's token verifier) on a random loopback port, with gin in release mode and no middleware: the cheapest
// upstream, so the proxies' own costs show.
func startUpstream(jwks claims.JWKSet) (*httptest.Server, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/api/v1/products/:id", func(c *gin.Context) {
		p := sample
		p.ID = c.Param("id")
		c.JSON(http.StatusOK, p)
	})
	r.GET("/api/v1/products", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"items": []product{sample}, "next_cursor": ""})
	})
	r.GET("/readyz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ready"}) })
	r.GET("/.well-known/jwks.json", func(c *gin.Context) { c.JSON(http.StatusOK, jwks) })
	r.GET("/api/v1/users/me", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"id": "u-bench", "email": "bench@example.com", "name": "Bench", "roles": []string{"shopper"}})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("upstream listen: %w", err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}}
	srv.Start()
	return srv, nil
}
