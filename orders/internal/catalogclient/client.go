// Package catalogclient reads products from the catalog service over HTTP,
// through a circuit breaker (docs/architecture.md): the orders service asks it
// whether a product exists when it is added to a cart, and for current prices
// when a cart is shown or checked out.
package catalogclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/breaker"
)

// MaxBatch is the most products one batch read may ask for.
const MaxBatch = 100

// Product is what orders needs to know of a product.
type Product struct {
	ID         string
	MerchantID string
	Name       string
	Price      domain.Money
	Available  int64
	// WeightGrams is one unit's shipping weight; 0 when the catalog does
	// not give one (weight bands then count the line as weightless).
	WeightGrams int64
	// Variant is set when the product read is a variant of another
	// product: that product's id and the variant's option values.
	Variant domain.Variant
	// HasVariants tells that the product read is the parent of variants:
	// it is not sold itself, one of its variants is (issue 18).
	HasVariants bool
}

// productJSON is the catalog's public product representation (docs/api.md).
type productJSON struct {
	ID         string `json:"id"`
	MerchantID string `json:"merchant_id"`
	Name       string `json:"name"`
	Price      struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	} `json:"price"`
	Stock struct {
		Available int64 `json:"available"`
	} `json:"stock"`
	// WeightGrams is optional: catalogs before it leave it out.
	WeightGrams int64 `json:"weight_grams"`
	// VariantOf and VariantOptions are set on a variant, Variants on a
	// product that has variants (contracts/catalog-variant.json,
	// contracts/catalog-product-variants.json); catalogs before variants
	// leave them out. Of a parent's variants orders only counts them.
	VariantOf      string            `json:"variant_of"`
	VariantOptions map[string]string `json:"variant_options"`
	Variants       []json.RawMessage `json:"variants"`
}

func (p productJSON) product() Product {
	out := Product{ID: p.ID, MerchantID: p.MerchantID, Name: p.Name,
		Price: domain.Money{Amount: p.Price.Amount, Currency: p.Price.Currency}, Available: p.Stock.Available,
		WeightGrams: max(p.WeightGrams, 0), HasVariants: len(p.Variants) > 0}
	if p.VariantOf != "" {
		out.Variant = domain.Variant{Of: p.VariantOf, Options: p.VariantOptions}
	}
	return out
}

// Client calls the catalog through its own circuit breaker.
type Client struct {
	http *breaker.Client
}

// New returns a client of the catalog at baseURL.
func New(baseURL string, opts breaker.Options) *Client {
	if opts.Name == "" {
		opts.Name = "catalog"
	}
	return &Client{http: breaker.NewClient(baseURL, opts)}
}

// Product reads one product. A missing or archived product is
// apperr.ErrNotFound; an unreachable catalog or an open breaker is an
// *apperr.RetryableError of kind apperr.ErrUnavailable (503 with
// Retry-After).
func (c *Client) Product(ctx context.Context, id string) (Product, error) {
	var p productJSON
	if err := c.http.GetJSON(ctx, "/api/v1/products/"+url.PathEscape(id), &p); err != nil {
		return Product{}, fmt.Errorf("product %s: %w", id, err)
	}
	return p.product(), nil
}

// Products reads up to MaxBatch products in one call, keyed by id;
// missing and archived products are absent from the map.
func (c *Client) Products(ctx context.Context, ids []string) (map[string]Product, error) {
	out := make(map[string]Product, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > MaxBatch {
		return nil, fmt.Errorf("products: %d ids, at most %d per call", len(ids), MaxBatch)
	}
	var raw json.RawMessage
	path := "/api/v1/products?ids=" + url.QueryEscape(strings.Join(ids, ","))
	if err := c.http.GetJSON(ctx, path, &raw); err != nil {
		return nil, fmt.Errorf("products: %w", err)
	}
	list, err := decodeList(raw)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		out[p.ID] = p.product()
	}
	return out, nil
}

// decodeList accepts the list shape of docs/api.md ({"items": [...]}) and a
// bare array.
func decodeList(raw json.RawMessage) ([]productJSON, error) {
	var list []productJSON
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, fmt.Errorf("products: decode: %w", err)
		}
		return list, nil
	}
	var page struct {
		Items []productJSON `json:"items"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, fmt.Errorf("products: decode: %w", err)
	}
	return page.Items, nil
}
