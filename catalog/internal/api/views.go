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
}

// NewPublicProduct is the shopper's view of p.
func NewPublicProduct(p domain.Product) PublicProduct {
	return PublicProduct{
		ID: p.ID, MerchantID: p.MerchantID, SKU: p.SKU, Name: p.Name, Description: p.Description,
		Category: p.Category, Price: Money(p.Price), Stock: PublicStock{Available: p.Stock.Available},
		Images: imagesOf(p), WeightGrams: p.WeightGrams, Rating: newRating(p.Rating), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

// NewMerchantProduct is the owner's view of p.
func NewMerchantProduct(p domain.Product) MerchantProduct {
	return MerchantProduct{
		ID: p.ID, MerchantID: p.MerchantID, SKU: p.SKU, Name: p.Name, Description: p.Description,
		Category: p.Category, Price: Money(p.Price), Stock: MerchantStock(p.Stock),
		Images: imagesOf(p), WeightGrams: p.WeightGrams, Rating: newRating(p.Rating), Archived: p.Archived, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
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
