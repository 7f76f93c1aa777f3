package store

import (
	"slices"
	"strings"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// productDoc is a product as stored.
type productDoc struct {
	ID          string   `bson:"_id"`
	MerchantID  string   `bson:"merchant_id"`
	SKU         string   `bson:"sku"`
	Name        string   `bson:"name"`
	Description string   `bson:"description"`
	Category    string   `bson:"category"`
	Price       moneyDoc `bson:"price"`
	Images      []string `bson:"images"`
	WeightGrams int64    `bson:"weight_grams,omitempty"` // absent (0) in products stored before it
	Archived    bool     `bson:"archived"`
	Stock       stockDoc `bson:"stock"`
	Initial     int64    `bson:"initial"`
	Restocked   int64    `bson:"restocked"`
	// Holds are the units held per order id, and the tombstones of holds
	// that ended (see holdDoc).
	Holds map[string]holdDoc `bson:"holds,omitempty"`
	// Returned marks orders whose sold units are back in stock, while
	// their return is being finished.
	Returned map[string]int64 `bson:"returned,omitempty"`
	// Rating is the sum and count of the reviews' ratings.
	Rating ratingDoc `bson:"rating"`
	// Options and VariantIDs are set on the parent of variants only,
	// VariantOf and VariantOptions on a variant only (absent on every
	// product stored before variants: the one-variant shape).
	Options        []optionDoc      `bson:"options,omitempty"`
	VariantIDs     []string         `bson:"variant_ids,omitempty"`
	VariantOf      string           `bson:"variant_of,omitempty"`
	VariantOptions []optionValueDoc `bson:"variant_options,omitempty"`
	// Rated marks the reviews counted in Rating, until pruned (see CountReview).
	Rated     map[string]time.Time `bson:"rated,omitempty"`
	Version   int64                `bson:"version"`
	CreatedAt time.Time            `bson:"created_at"`
	UpdatedAt time.Time            `bson:"updated_at"`
	Outbox    []outbox.Entry       `bson:"outbox,omitempty"`
}

// optionDoc is one option of a parent.
type optionDoc struct {
	Name   string   `bson:"name"`
	Values []string `bson:"values"`
}

// optionValueDoc is a variant's value of one option. A list of pairs, not
// a map: option names are merchant text and must not become field paths.
type optionValueDoc struct {
	Name  string `bson:"name"`
	Value string `bson:"value"`
}

type moneyDoc struct {
	Amount   int64  `bson:"amount"`
	Currency string `bson:"currency"`
}

type ratingDoc struct {
	Sum   int64 `bson:"sum"`
	Count int64 `bson:"count"`
}

type stockDoc struct {
	Available int64 `bson:"available"`
	Held      int64 `bson:"held"`
	Sold      int64 `bson:"sold"`
}

// holdDoc is one order's hold on a product. When the hold ends (released,
// sold or rolled back) it becomes a tombstone: qty 0, released, at the time
// it ended. The tombstone stops any later run of the order's order.placed
// from holding the product again (Hold requires no entry at all), so holds
// cannot be left behind for an order whose outcome is already recorded.
// Tombstones count for nothing: the stock counters move only with live
// holds. They are pruned after TombstoneGrace (see Hold).
type holdDoc struct {
	Qty       int64     `bson:"qty"`
	ExpiresAt time.Time `bson:"expires_at,omitempty"`
	Released  bool      `bson:"released,omitempty"`
	At        time.Time `bson:"at,omitempty"`
}

// tombstone is the entry an ended hold leaves behind.
func tombstone(now time.Time) holdDoc {
	return holdDoc{Released: true, At: now}
}

func toProductDoc(p domain.Product) productDoc {
	return productDoc{
		ID: p.ID, MerchantID: p.MerchantID, SKU: p.SKU, Name: p.Name, Description: p.Description,
		Category: p.Category, Price: moneyDoc(p.Price), Images: p.Images, WeightGrams: p.WeightGrams, Archived: p.Archived,
		Stock: stockDoc(p.Stock), Initial: p.Initial, Restocked: p.Restocked, Rating: ratingDoc(p.Rating),
		Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Options: optionDocs(p.Options), VariantIDs: p.VariantIDs, VariantOf: p.VariantOf, VariantOptions: optionValueDocs(p.VariantOptions),
	}
}

func optionDocs(options []domain.Option) []optionDoc {
	var out []optionDoc
	for _, o := range options {
		out = append(out, optionDoc{Name: o.Name, Values: o.Values})
	}
	return out
}

func optionValueDocs(values map[string]string) []optionValueDoc {
	var out []optionValueDoc
	for name, v := range values {
		out = append(out, optionValueDoc{Name: name, Value: v})
	}
	slices.SortFunc(out, func(a, b optionValueDoc) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// variantFields sets d's variant fields on p.
func (d productDoc) variantFields(p *domain.Product) {
	for _, o := range d.Options {
		p.Options = append(p.Options, domain.Option{Name: o.Name, Values: o.Values})
	}
	p.VariantIDs, p.VariantOf = d.VariantIDs, d.VariantOf
	if len(d.VariantOptions) > 0 {
		p.VariantOptions = make(map[string]string, len(d.VariantOptions))
		for _, v := range d.VariantOptions {
			p.VariantOptions[v.Name] = v.Value
		}
	}
}

func (d productDoc) product() domain.Product {
	images := d.Images
	if images == nil {
		images = []string{}
	}
	p := domain.Product{
		ID: d.ID, MerchantID: d.MerchantID, SKU: d.SKU, Name: d.Name, Description: d.Description,
		Category: d.Category, Price: domain.Money(d.Price), Images: images, WeightGrams: d.WeightGrams, Archived: d.Archived,
		Stock: domain.Stock(d.Stock), Initial: d.Initial, Restocked: d.Restocked, Rating: domain.Rating(d.Rating),
		Version: d.Version, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	d.variantFields(&p)
	return p
}

// reservationDoc is an order's reservation as stored; _id is the order id,
// so there is at most one per order.
type reservationDoc struct {
	OrderID       string            `bson:"_id"`
	State         string            `bson:"state"`
	Lines         []lineDoc         `bson:"lines"`
	Rejected      []rejectedLineDoc `bson:"rejected,omitempty"`
	ReleaseReason string            `bson:"release_reason,omitempty"`
	ExpiresAt     time.Time         `bson:"expires_at"`
	CreatedAt     time.Time         `bson:"created_at"`
	UpdatedAt     time.Time         `bson:"updated_at"`
	Outbox        []outbox.Entry    `bson:"outbox,omitempty"`
}

type lineDoc struct {
	ProductID string `bson:"product_id"`
	Quantity  int64  `bson:"quantity"`
}

type rejectedLineDoc struct {
	ProductID string `bson:"product_id"`
	Requested int64  `bson:"requested"`
	Available int64  `bson:"available"`
}

func toReservationDoc(r domain.Reservation, entries []outbox.Entry) reservationDoc {
	d := reservationDoc{
		OrderID: r.OrderID, State: string(r.State), ReleaseReason: r.ReleaseReason,
		ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Outbox: entries,
	}
	for _, l := range r.Lines {
		d.Lines = append(d.Lines, lineDoc(l))
	}
	for _, l := range r.Rejected {
		d.Rejected = append(d.Rejected, rejectedLineDoc(l))
	}
	return d
}

func (d reservationDoc) reservation() domain.Reservation {
	r := domain.Reservation{
		OrderID: d.OrderID, State: domain.ReservationState(d.State), ReleaseReason: d.ReleaseReason,
		ExpiresAt: d.ExpiresAt.UTC(), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	for _, l := range d.Lines {
		r.Lines = append(r.Lines, domain.Line(l))
	}
	for _, l := range d.Rejected {
		r.Rejected = append(r.Rejected, domain.RejectedLine(l))
	}
	return r
}
