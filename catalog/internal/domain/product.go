// Package domain holds the catalog's entities and rules: products and their
// stock counters, merchant input validation, reservations and their state
// machine, and the browse query (filters, sort, cursor). It knows nothing of
// HTTP, MongoDB or Kafka.
package domain

import "time"

// Money is an amount in integer minor units and an ISO 4217 currency code.
type Money struct {
	Amount   int64
	Currency string
}

// Stock are a product's unit counters. Available units can be reserved,
// Held units are reserved by unpaid orders, Sold units belong to paid ones.
type Stock struct {
	Available int64
	Held      int64
	Sold      int64
}

// Total is every unit the product has: available, held and sold.
func (s Stock) Total() int64 { return s.Available + s.Held + s.Sold }

// Product is a merchant's product with its stock.
type Product struct {
	ID          string
	MerchantID  string
	SKU         string
	Name        string
	Description string
	// Category is lower case (see NormalizeCategory).
	Category string
	Price    Money
	Images   []string
	// WeightGrams is one unit's shipping weight in grams, 0 when not given.
	WeightGrams int64
	// Archived products are hidden from shoppers and cannot be reserved.
	Archived bool
	Stock    Stock
	// Initial is the stock the product was created with; Restocked is the
	// sum of every stock adjustment since. Together they are what the
	// counters must add up to.
	Initial   int64
	Restocked int64
	// Rating aggregates the ratings of the product's reviews.
	Rating Rating
	// Options are the choices of a product with variants (its "parent"),
	// VariantIDs its variants in order; both empty for a product without
	// options, which is its own single variant (variants.go).
	Options    []Option
	VariantIDs []string
	// VariantOf is the parent's id on a variant, and VariantOptions its
	// value of every option; both empty on other products.
	VariantOf      string
	VariantOptions map[string]string
	// Variants is filled by the read model on the copy of a parent it
	// renders (its variants with their own stock and prices); it is never
	// stored.
	Variants []Product
	// Version grows with every write; stale snapshots are recognised by it.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// InvariantHolds reports whether the stock counters are consistent: none is
// negative and available + held + sold = initial + restocked.
func (p Product) InvariantHolds() bool {
	s := p.Stock
	return s.Available >= 0 && s.Held >= 0 && s.Sold >= 0 && s.Total() == p.Initial+p.Restocked
}

// Visible reports whether shoppers may see the product.
func (p Product) Visible() bool { return !p.Archived }

// HasVariants reports whether p is the parent of variants: it has options,
// and no stock of its own.
func (p Product) HasVariants() bool { return len(p.Options) > 0 }

// IsVariant reports whether p is a variant of another product.
func (p Product) IsVariant() bool { return p.VariantOf != "" }
