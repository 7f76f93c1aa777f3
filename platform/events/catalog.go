package events

import "time"

// Product is a full snapshot of a product, the data of TypeProductCreated,
// TypeProductUpdated and TypeProductArchived. Version grows with every change,
// so a consumer keeps only the newest snapshot it has seen.
type Product struct {
	ID          string    `json:"id"`
	MerchantID  string    `json:"merchant_id"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Category    string    `json:"category"`
	Price       Money     `json:"price"`
	Available   int64     `json:"available"`
	Images      []string  `json:"images"`
	WeightGrams int64     `json:"weight_grams,omitempty"` // one unit's shipping weight; absent when 0
	Archived    bool      `json:"archived"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Variants (optional, absent on products without options and from
	// producers before them). A variant is a stock item of its own, keyed
	// by its id: VariantOf names its product and VariantOptions its value
	// of each option. A product with variants has Options and VariantIDs
	// and no stock of its own (Available 0).
	VariantOf      string            `json:"variant_of,omitempty"`
	VariantOptions map[string]string `json:"variant_options,omitempty"`
	Options        []ProductOption   `json:"options,omitempty"`
	VariantIDs     []string          `json:"variant_ids,omitempty"`
}

// ProductOption is one option of a product with variants, such as size,
// with its values.
type ProductOption struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// StockLine is a quantity of one product.
type StockLine struct {
	ProductID string `json:"product_id"`
	Quantity  int64  `json:"quantity"`
}

// StockReserved is the data of TypeStockReserved: every line of the order is
// held until ExpiresAt.
type StockReserved struct {
	OrderID   string      `json:"order_id"`
	Lines     []StockLine `json:"lines"`
	ExpiresAt time.Time   `json:"expires_at"`
}

// RejectedLine is a line that could not be reserved.
type RejectedLine struct {
	ProductID string `json:"product_id"`
	Requested int64  `json:"requested"`
	Available int64  `json:"available"`
}

// StockRejected is the data of TypeStockRejected: the order could not be
// reserved and nothing is held for it.
type StockRejected struct {
	OrderID string         `json:"order_id"`
	Lines   []RejectedLine `json:"lines"`
}

// StockReleased is the data of TypeStockReleased: the order's held units are
// available again.
type StockReleased struct {
	OrderID string `json:"order_id"`
	// Reason is ReleaseExpired or ReleaseCancelled.
	Reason string      `json:"reason"`
	Lines  []StockLine `json:"lines"`
}

// StockReturned is the data of TypeStockReturned: the sold units of a
// refunded order are available again.
type StockReturned struct {
	OrderID string      `json:"order_id"`
	Lines   []StockLine `json:"lines"`
}

// StockCommitted is the data of TypeStockCommitted: the order's held units
// are sold.
type StockCommitted struct {
	OrderID string      `json:"order_id"`
	Lines   []StockLine `json:"lines"`
}
