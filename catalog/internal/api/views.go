// Package api is the catalog's HTTP interface: public browsing, search
// and product reads served from the read model, and the merchant's product
// management through the use cases. Bodies bind into request types, never
// into stored models; errors go through httpserver.WriteError.
package api

import (
	"encoding/json"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// Money is an amount of integer minor units in an ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// PublicStock is what shoppers learn of a product's stock.
type PublicStock struct {
	Available int64 `json:"available"`
}

// PublicProduct is a product as shoppers see it (docs/api.md).
type PublicProduct struct {
	ID          string      `json:"id"`
	MerchantID  string      `json:"merchant_id"`
	SKU         string      `json:"sku"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Category    string      `json:"category"`
	Price       Money       `json:"price"`
	Stock       PublicStock `json:"stock"`
	Images      []string    `json:"images"`
	WeightGrams int64       `json:"weight_grams"`
	Rating      RatingJSON  `json:"rating"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	// A product with variants: its options, price range and variants
	// (price is the lowest, stock the sum). A variant: its product and its
	// option values. All absent on other products.
	Options        []OptionJSON      `json:"options,omitempty"`
	PriceRange     *PriceRange       `json:"price_range,omitempty"`
	Variants       []PublicVariant   `json:"variants,omitempty"`
	VariantOf      string            `json:"variant_of,omitempty"`
	VariantOptions map[string]string `json:"variant_options,omitempty"`
}

// OptionJSON is one option of a product with variants.
type OptionJSON struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// PriceRange is the lowest and highest price of a product's variants.
type PriceRange struct {
	Min Money `json:"min"`
	Max Money `json:"max"`
}

// PublicVariant is one variant in its product's public JSON.
type PublicVariant struct {
	ID          string            `json:"id"`
	SKU         string            `json:"sku"`
	Options     map[string]string `json:"options"`
	Price       Money             `json:"price"`
	Stock       PublicStock       `json:"stock"`
	WeightGrams int64             `json:"weight_grams"`
}

// MerchantVariant is one variant in its product's JSON for the merchant.
type MerchantVariant struct {
	ID          string            `json:"id"`
	SKU         string            `json:"sku"`
	Options     map[string]string `json:"options"`
	Price       Money             `json:"price"`
	Stock       MerchantStock     `json:"stock"`
	WeightGrams int64             `json:"weight_grams"`
	Archived    bool              `json:"archived"`
}

// MerchantStock is every stock counter of a product.
type MerchantStock struct {
	Available int64 `json:"available"`
	Held      int64 `json:"held"`
	Sold      int64 `json:"sold"`
}

// MerchantProduct is a product as its merchant sees it.
type MerchantProduct struct {
	ID          string        `json:"id"`
	MerchantID  string        `json:"merchant_id"`
	SKU         string        `json:"sku"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Category    string        `json:"category"`
	Price       Money         `json:"price"`
	Stock       MerchantStock `json:"stock"`
	Images      []string      `json:"images"`
	WeightGrams int64         `json:"weight_grams"`
	Rating      RatingJSON    `json:"rating"`
	Archived    bool          `json:"archived"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	// As in PublicProduct; Variants lists the ones not archived.
	Options        []OptionJSON      `json:"options,omitempty"`
	PriceRange     *PriceRange       `json:"price_range,omitempty"`
	Variants       []MerchantVariant `json:"variants,omitempty"`
	VariantOf      string            `json:"variant_of,omitempty"`
	VariantOptions map[string]string `json:"variant_options,omitempty"`
}

// NewPublicProduct is the shopper's view of p, a product as the read
// model shows it (a parent with its variants, a variant with its parent's
// details).
func NewPublicProduct(p domain.Product) PublicProduct {
	out := PublicProduct{
		ID: p.ID, MerchantID: p.MerchantID, SKU: p.SKU, Name: p.Name, Description: p.Description,
		Category: p.Category, Price: Money(p.Price), Stock: PublicStock{Available: p.Stock.Available},
		Images: imagesOf(p), WeightGrams: p.WeightGrams, Rating: newRating(p.Rating), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Options: optionsJSON(p.Options), PriceRange: priceRange(p), VariantOf: p.VariantOf, VariantOptions: p.VariantOptions,
	}
	for _, v := range p.Variants {
		out.Variants = append(out.Variants, PublicVariant{
			ID: v.ID, SKU: v.SKU, Options: v.VariantOptions, Price: Money(v.Price),
			Stock: PublicStock{Available: v.Stock.Available}, WeightGrams: v.WeightGrams,
		})
	}
	return out
}

// NewMerchantProduct is the owner's view of p (for a parent, as the read
// model shows it, with its variants: see usecase.Service.Shown).
func NewMerchantProduct(p domain.Product) MerchantProduct {
	out := MerchantProduct{
		ID: p.ID, MerchantID: p.MerchantID, SKU: p.SKU, Name: p.Name, Description: p.Description,
		Category: p.Category, Price: Money(p.Price), Stock: MerchantStock(p.Stock),
		Images: imagesOf(p), WeightGrams: p.WeightGrams, Rating: newRating(p.Rating), Archived: p.Archived, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Options: optionsJSON(p.Options), PriceRange: priceRange(p), VariantOf: p.VariantOf, VariantOptions: p.VariantOptions,
	}
	for _, v := range p.Variants {
		out.Variants = append(out.Variants, MerchantVariant{
			ID: v.ID, SKU: v.SKU, Options: v.VariantOptions, Price: Money(v.Price),
			Stock: MerchantStock(v.Stock), WeightGrams: v.WeightGrams, Archived: v.Archived,
		})
	}
	return out
}

func optionsJSON(options []domain.Option) []OptionJSON {
	var out []OptionJSON
	for _, o := range options {
		out = append(out, OptionJSON{Name: o.Name, Values: o.Values})
	}
	return out
}

func priceRange(p domain.Product) *PriceRange {
	low, high, ok := p.PriceRange()
	if !ok {
		return nil
	}
	return &PriceRange{Min: Money(low), Max: Money(high)}
}

// RenderPublic is the public JSON of p, the read model's renderer.
func RenderPublic(p domain.Product) []byte {
	b, err := json.Marshal(NewPublicProduct(p))
	if err != nil { // strings, ints and times: cannot happen
		panic("render product: " + err.Error())
	}
	return b
}

// imagesOf is the product's image list, [] rather than null when it has none.
func imagesOf(p domain.Product) []string {
	if p.Images == nil {
		return []string{}
	}
	return p.Images
}
