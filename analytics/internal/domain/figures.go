// Package domain holds the analytics figures of one merchant (or of the
// whole platform) for one UTC day, how events add to them, and the
// dashboard and report views computed from them. It knows nothing of
// gin, MongoDB or Kafka.
package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Platform is the figures' owner for the whole platform (what an admin
// sees); it also owns behaviour events of no merchant.
const Platform = "_platform"

// Sale statuses.
const (
	StatusPaid      = "paid"
	StatusShipped   = "shipped"
	StatusCancelled = "cancelled"
)

// Behaviour kinds (the storefront's event types).
const (
	KindProductViewed   = "product_viewed"
	KindSearch          = "search"
	KindAddedToCart     = "added_to_cart"
	KindCheckoutStarted = "checkout_started"
)

// DayOf is the UTC day of t, YYYY-MM-DD.
func DayOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// MinuteOf is t's minute of its UTC day, 0 to 1439.
func MinuteOf(t time.Time) int {
	t = t.UTC()
	return t.Hour()*60 + t.Minute()
}

// Key names one document of figures: an owner (a merchant id or Platform)
// and a UTC day.
type Key struct {
	Owner string
	Day   string
}

// ID is the document id of k, "<owner>|<day>".
func (k Key) ID() string { return k.Owner + "|" + k.Day }

// Counts are a day's plain counters.
type Counts struct {
	Views        int64
	Carts        int64
	Checkouts    int64
	Searches     int64
	ZeroSearches int64
	Orders       int64
	Lines        int64
	Units        int64
	Refunds      int64
}

// Currency holds what was sold and refunded in one currency (minor units).
type Currency struct {
	Orders   int64
	Lines    int64
	Units    int64
	Revenue  int64
	Refunds  int64
	Refunded int64
}

// Minute is what happened in one minute of the day.
type Minute struct {
	Views     int64
	Carts     int64
	Checkouts int64
	Orders    int64
	Revenue   map[string]int64 // by currency
}

// Product is one product's day.
type Product struct {
	Name    string
	Views   int64
	Carts   int64
	Units   int64
	Revenue map[string]int64
}

// Sale is one paid order as its merchant sees it (the platform: as a whole).
type Sale struct {
	OrderID string
	PaidAt  time.Time
	Status  string
	Lines   []Line
}

// Line is an order line in minor units.
type Line struct {
	ProductID string
	Name      string
	UnitPrice int64
	Currency  string
	Quantity  int64
	// Discount is the line's share of its merchant's discount code.
	Discount int64
}

// Net is what the line earned: its price times its quantity, less its
// discount. Revenue is counted net; shipping is not revenue.
func (l Line) Net() int64 { return l.UnitPrice*l.Quantity - l.Discount }

// Figures are the figures of one Key; the same type holds the increments
// an event or a batch of events adds (a delta).
type Figures struct {
	Key        Key
	Counts     Counts
	Currencies map[string]*Currency
	Minutes    map[int]*Minute
	Products   map[string]*Product
	// ZeroQueries counts the searches that found nothing, by normalised
	// query.
	ZeroQueries map[string]int64
	// Sales are the day's paid orders by order id.
	Sales map[string]Sale
}

// NewFigures returns empty figures of k.
func NewFigures(k Key) *Figures {
	return &Figures{
		Key: k, Currencies: map[string]*Currency{}, Minutes: map[int]*Minute{},
		Products: map[string]*Product{}, ZeroQueries: map[string]int64{}, Sales: map[string]Sale{},
	}
}

// Empty reports whether f adds nothing.
func (f *Figures) Empty() bool {
	return f.Counts == (Counts{}) && len(f.Currencies) == 0 && len(f.Minutes) == 0 &&
		len(f.Products) == 0 && len(f.ZeroQueries) == 0 && len(f.Sales) == 0
}

func (f *Figures) minute(at time.Time) *Minute {
	m := MinuteOf(at)
	if f.Minutes[m] == nil {
		f.Minutes[m] = &Minute{Revenue: map[string]int64{}}
	}
	return f.Minutes[m]
}

func (f *Figures) product(id string) *Product {
	if f.Products[id] == nil {
		f.Products[id] = &Product{Revenue: map[string]int64{}}
	}
	return f.Products[id]
}

func (f *Figures) currency(code string) *Currency {
	if f.Currencies[code] == nil {
		f.Currencies[code] = &Currency{}
	}
	return f.Currencies[code]
}

// Behaviour is one storefront event.
type Behaviour struct {
	Kind      string
	Time      time.Time
	ProductID string
	Quantity  int64
	Query     string
	Results   int64
}

// maxQuery bounds a normalised query.
const maxQuery = 100

// NormaliseQuery lowercases, trims and collapses the spaces of a search
// query, so "Red  Mug" and "red mug" count together.
// Control characters (a NUL cannot be part of a field name) and invalid
// UTF-8 are dropped.
func NormaliseQuery(q string) string {
	q = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(q, " "))
	q = strings.Join(strings.Fields(strings.ToLower(q)), " ")
	if len(q) > maxQuery {
		q = strings.ToValidUTF8(q[:maxQuery], "")
	}
	return q
}

// AddBehaviour adds one storefront event to f, in the minute of its own
// time (a late event lands in its minute, not in the current one).
func (f *Figures) AddBehaviour(b Behaviour) { f.addBehaviour(b, true) }

// AddBehaviourTotals is AddBehaviour without the per-product counts: the
// platform's figures, where every product of every shop would make each
// write long (FerretDB checks an update's paths against each other).
func (f *Figures) AddBehaviourTotals(b Behaviour) { f.addBehaviour(b, false) }

func (f *Figures) addBehaviour(b Behaviour, perProduct bool) {
	switch b.Kind {
	case KindProductViewed:
		f.Counts.Views++
		f.minute(b.Time).Views++
		if perProduct {
			f.product(b.ProductID).Views++
		}
	case KindAddedToCart:
		f.Counts.Carts++
		f.minute(b.Time).Carts++
		if perProduct {
			f.product(b.ProductID).Carts++
		}
	case KindCheckoutStarted:
		f.Counts.Checkouts++
		f.minute(b.Time).Checkouts++
	case KindSearch:
		f.Counts.Searches++
		if b.Results == 0 {
			if q := NormaliseQuery(b.Query); q != "" {
				f.Counts.ZeroSearches++
				f.ZeroQueries[q]++
			}
		}
	}
}

// AddSale adds a paid order's lines (those of f's owner) to f and records
// the sale.
func (f *Figures) AddSale(s Sale) {
	f.Counts.Orders++
	seen := map[string]bool{}
	for _, l := range s.Lines {
		f.Counts.Lines++
		f.Counts.Units += l.Quantity
		amount := l.Net()
		c := f.currency(l.Currency)
		if !seen[l.Currency] {
			seen[l.Currency] = true
			c.Orders++
		}
		c.Lines++
		c.Units += l.Quantity
		c.Revenue += amount
		p := f.product(l.ProductID)
		p.Name = l.Name
		p.Units += l.Quantity
		p.Revenue[l.Currency] += amount
	}
	m := f.minute(s.PaidAt)
	m.Orders++
	for _, l := range s.Lines {
		m.Revenue[l.Currency] += l.Net()
	}
	f.Sales[s.OrderID] = s
}

// AddRefund adds one refund of amount in currency to f.
func (f *Figures) AddRefund(amount int64, currency string) {
	f.Counts.Refunds++
	c := f.currency(currency)
	c.Refunds++
	c.Refunded += amount
}

// Merge adds every figure of d to f (sales included).
func (f *Figures) Merge(d *Figures) {
	f.Counts.Views += d.Counts.Views
	f.Counts.Carts += d.Counts.Carts
	f.Counts.Checkouts += d.Counts.Checkouts
	f.Counts.Searches += d.Counts.Searches
	f.Counts.ZeroSearches += d.Counts.ZeroSearches
	f.Counts.Orders += d.Counts.Orders
	f.Counts.Lines += d.Counts.Lines
	f.Counts.Units += d.Counts.Units
	f.Counts.Refunds += d.Counts.Refunds
	for code, c := range d.Currencies {
		t := f.currency(code)
		t.Orders += c.Orders
		t.Lines += c.Lines
		t.Units += c.Units
		t.Revenue += c.Revenue
		t.Refunds += c.Refunds
		t.Refunded += c.Refunded
	}
	for i, m := range d.Minutes {
		t := f.Minutes[i]
		if t == nil {
			t = &Minute{Revenue: map[string]int64{}}
			f.Minutes[i] = t
		}
		t.Views += m.Views
		t.Carts += m.Carts
		t.Checkouts += m.Checkouts
		t.Orders += m.Orders
		for c, a := range m.Revenue {
			t.Revenue[c] += a
		}
	}
	for id, p := range d.Products {
		t := f.product(id)
		if p.Name != "" {
			t.Name = p.Name
		}
		t.Views += p.Views
		t.Carts += p.Carts
		t.Units += p.Units
		for c, a := range p.Revenue {
			t.Revenue[c] += a
		}
	}
	for q, n := range d.ZeroQueries {
		f.ZeroQueries[q] += n
	}
	for id, s := range d.Sales {
		f.Sales[id] = s
	}
}
