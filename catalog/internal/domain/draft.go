package domain

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// Limits of merchant input.
const (
	MaxSKULength         = 64
	MaxNameLength        = 200
	MaxDescriptionLength = 5000
	MaxCategoryLength    = 64
	MaxImages            = 10
	MaxImageURLLength    = 2048
	MaxInitialStock      = 1_000_000
	MaxStockDelta        = 1_000_000
	MaxPriceAmount       = 1_000_000_000_00 // one billion in major units
	MaxWeightGrams       = 1_000_000        // one tonne
)

var skuPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Draft is a new product as a merchant describes it.
type Draft struct {
	SKU         string
	Name        string
	Description string
	Category    string
	Price       Money
	Stock       int64
	Images      []string
	// WeightGrams is one unit's shipping weight, 0 (the default) when the
	// merchant gives none.
	WeightGrams int64
	// Options and Variants make the product a parent of variants (both or
	// neither); its Stock must then be 0.
	Options  []Option
	Variants []VariantDraft
}

// Patch is a partial update of a product's details; nil fields stay as
// they are. Stock is changed by restocking, never by a patch.
type Patch struct {
	SKU         *string
	Name        *string
	Description *string
	Category    *string
	Price       *Money
	Images      *[]string
	WeightGrams *int64
}

// NormalizeCategory trims and lower-cases a category, so "Books " and
// "books" are one category.
func NormalizeCategory(c string) string { return strings.ToLower(strings.TrimSpace(c)) }

// Validate checks every field of d against the store currency and returns
// all problems at once as an *apperr.ValidationError (JSON field names).
func (d Draft) Validate(currency string) error {
	v := &apperr.ValidationError{}
	checkSKU(v, d.SKU)
	checkName(v, d.Name)
	checkDescription(v, d.Description)
	checkCategory(v, d.Category)
	checkPrice(v, d.Price, currency)
	checkImages(v, d.Images)
	checkWeight(v, d.WeightGrams)
	if d.Stock < 0 || d.Stock > MaxInitialStock {
		v.Add("stock", "must be between 0 and 1000000")
	}
	d.checkVariants(v, currency)
	return v.Err()
}

// Validate checks the fields p sets; a patch that sets nothing is invalid.
func (p Patch) Validate(currency string) error {
	v := &apperr.ValidationError{}
	if p.SKU == nil && p.Name == nil && p.Description == nil && p.Category == nil && p.Price == nil && p.Images == nil && p.WeightGrams == nil {
		v.Add("body", "must set at least one field")
	}
	if p.SKU != nil {
		checkSKU(v, *p.SKU)
	}
	if p.Name != nil {
		checkName(v, *p.Name)
	}
	if p.Description != nil {
		checkDescription(v, *p.Description)
	}
	if p.Category != nil {
		checkCategory(v, *p.Category)
	}
	if p.Price != nil {
		checkPrice(v, *p.Price, currency)
	}
	if p.Images != nil {
		checkImages(v, *p.Images)
	}
	if p.WeightGrams != nil {
		checkWeight(v, *p.WeightGrams)
	}
	return v.Err()
}

// NewProduct builds the product a validated draft describes, owned by
// merchantID, created at now.
func NewProduct(id, merchantID string, d Draft, now time.Time) Product {
	return Product{
		ID:          id,
		MerchantID:  merchantID,
		SKU:         d.SKU,
		Name:        strings.TrimSpace(d.Name),
		Description: d.Description,
		Category:    NormalizeCategory(d.Category),
		Price:       d.Price,
		Images:      nonNil(d.Images),
		WeightGrams: d.WeightGrams,
		Stock:       Stock{Available: d.Stock},
		Initial:     d.Stock,
		Options:     CopyOptions(d.Options),
		Version:     1,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
}

// NewProductWithVariants builds the product and the variants a validated
// draft describes; the product lists the variants' ids. Without options
// the list of variants is empty.
func NewProductWithVariants(id, merchantID string, d Draft, now time.Time) (Product, []Product) {
	p := NewProduct(id, merchantID, d, now)
	if len(d.Variants) == 0 {
		return p, nil
	}
	variants := NewVariants(p, d, now)
	for _, v := range variants {
		p.VariantIDs = append(p.VariantIDs, v.ID)
	}
	return p, variants
}

// Apply returns prod with the patch's fields set, at now. It does not bump
// the version; the store does.
func (p Patch) Apply(prod Product, now time.Time) Product {
	if p.SKU != nil {
		prod.SKU = *p.SKU
	}
	if p.Name != nil {
		prod.Name = strings.TrimSpace(*p.Name)
	}
	if p.Description != nil {
		prod.Description = *p.Description
	}
	if p.Category != nil {
		prod.Category = NormalizeCategory(*p.Category)
	}
	if p.Price != nil {
		prod.Price = *p.Price
	}
	if p.Images != nil {
		prod.Images = nonNil(*p.Images)
	}
	if p.WeightGrams != nil {
		prod.WeightGrams = *p.WeightGrams
	}
	prod.UpdatedAt = now
	return prod
}

// ValidateStockDelta checks a restock delta: non-zero, at most a million
// units either way.
func ValidateStockDelta(delta int64) error {
	if delta == 0 || delta > MaxStockDelta || delta < -MaxStockDelta {
		return apperr.Validation(apperr.FieldError{Field: "delta", Message: "must be a non-zero integer between -1000000 and 1000000"})
	}
	return nil
}

func checkSKU(v *apperr.ValidationError, sku string) {
	if !skuPattern.MatchString(sku) {
		v.Add("sku", "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
	}
}

func checkName(v *apperr.ValidationError, name string) {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	if n < 1 || n > MaxNameLength || !utf8.ValidString(name) {
		v.Add("name", "must be 1-200 characters")
	}
}

func checkDescription(v *apperr.ValidationError, d string) {
	if utf8.RuneCountInString(d) > MaxDescriptionLength || !utf8.ValidString(d) {
		v.Add("description", "must be at most 5000 characters")
	}
}

func checkCategory(v *apperr.ValidationError, c string) {
	n := utf8.RuneCountInString(NormalizeCategory(c))
	if n < 1 || n > MaxCategoryLength || !utf8.ValidString(c) {
		v.Add("category", "must be 1-64 characters")
	}
}

func checkPrice(v *apperr.ValidationError, m Money, currency string) {
	checkPriceAt(v, "price", m, currency)
}

func checkPriceAt(v *apperr.ValidationError, field string, m Money, currency string) {
	if m.Amount <= 0 || m.Amount > MaxPriceAmount {
		v.Add(field+".amount", "must be a positive integer of minor units")
	}
	if m.Currency != currency {
		v.Add(field+".currency", "must be "+currency)
	}
}

func checkWeight(v *apperr.ValidationError, grams int64) {
	if grams < 0 || grams > MaxWeightGrams {
		v.Add("weight_grams", "must be an integer number of grams between 0 and 1000000")
	}
}

func checkImages(v *apperr.ValidationError, images []string) {
	if len(images) > MaxImages {
		v.Add("images", "at most 10 images")
		return
	}
	for i, raw := range images {
		if !isHTTPURL(raw) {
			v.Add("images."+strconv.Itoa(i), "must be an absolute http(s) URL")
		}
	}
}

func isHTTPURL(raw string) bool {
	if len(raw) > MaxImageURLLength {
		return false
	}
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string(nil), s...)
}
