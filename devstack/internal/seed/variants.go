package seed

import (
	"context"
	"fmt"
	"strings"
)

// A demo product sold in variants (issue 18): a product with one option
// whose every value is a variant with its own SKU and stock, and one price
// override. It is created with its variants in one request; a second run
// finds its SKU taken (409) and leaves it, and the merchant's changes, alone.

// VariantProduct is a demo product with variants of one option.
type VariantProduct struct {
	// Product's Price is the variants' price unless one overrides it, its
	// WeightGrams theirs; its Stock is unused (a product with variants has
	// none of its own).
	Product
	// Merchant is the index in Merchants of the shop that sells it.
	Merchant int
	SKU      string
	Option   string
	Variants []DemoVariant
}

// DemoVariant is one variant of a VariantProduct.
type DemoVariant struct {
	Value string
	// Price overrides the product's price when not 0 (cents).
	Price int64
	Stock int64
}

// VariantProducts are the demo products with variants: Trailhead's T-shirt
// in S, M and L, the L dearer.
var VariantProducts = []VariantProduct{{
	Product: Product{Name: "Trail T-shirt", Category: "apparel", Price: 2900,
		Description: "Organic cotton T-shirt with a small mountain print. Pick your size.", WeightGrams: 180},
	Merchant: 1, SKU: "TH-TEE", Option: "size",
	Variants: []DemoVariant{{Value: "S", Stock: 20}, {Value: "M", Stock: 30}, {Value: "L", Price: 3200, Stock: 15}},
}}

type optionRequest struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

type variantRequest struct {
	SKU     string            `json:"sku"`
	Options map[string]string `json:"options"`
	Price   *money            `json:"price,omitempty"`
	Stock   int64             `json:"stock"`
}

// variantProductRequest is the catalog's create request of a product with
// options and variants (docs/api.md).
type variantProductRequest struct {
	productRequest
	Options  []optionRequest  `json:"options"`
	Variants []variantRequest `json:"variants"`
}

// request is the create request of p, its pictures under gatewayURL.
func (p VariantProduct) request(gatewayURL string) variantProductRequest {
	r := variantProductRequest{
		productRequest: productRequest{SKU: p.SKU, Name: p.Name, Description: p.Description, Category: p.Category,
			Price: money{Amount: p.Price, Currency: Currency}, WeightGrams: p.WeightGrams,
			Images: []string{strings.TrimRight(gatewayURL, "/") + "/assets/products/" + Slug(p.Name) + ".svg"}},
		Options: []optionRequest{{Name: p.Option}},
	}
	for _, v := range p.Variants {
		r.Options[0].Values = append(r.Options[0].Values, v.Value)
		vr := variantRequest{SKU: p.SKU + "-" + v.Value, Options: map[string]string{p.Option: v.Value}, Stock: v.Stock}
		if v.Price != 0 {
			vr.Price = &money{Amount: v.Price, Currency: Currency}
		}
		r.Variants = append(r.Variants, vr)
	}
	return r
}

// createVariantProducts creates the demo products with variants of shop
// index merchant (token is its merchant's) and reports how many it
// created.
func (c *client) createVariantProducts(ctx context.Context, token string, merchant int, gatewayURL string) (int, error) {
	created := 0
	for _, p := range VariantProducts {
		if p.Merchant != merchant {
			continue
		}
		isNew, err := c.createProduct(ctx, token, p.request(gatewayURL))
		if err != nil {
			return created, fmt.Errorf("%s: %w", p.Name, err)
		}
		if isNew {
			created++
		}
	}
	return created, nil
}

// variantsLine names the demo products with variants for the banner
// ("Trail T-shirt (Trailhead Outfitters) in size S, M, L"), and how many
// this run created.
func variantsLine(created int) string {
	parts := make([]string, len(VariantProducts))
	for i, p := range VariantProducts {
		values := make([]string, len(p.Variants))
		for j, v := range p.Variants {
			values[j] = v.Value
		}
		parts[i] = fmt.Sprintf("%s (%s) in %s %s", p.Name, Merchants[p.Merchant].StoreName, p.Option, strings.Join(values, ", "))
	}
	return fmt.Sprintf("Sold in variants: %s (%d new)", strings.Join(parts, "; "), created)
}
