package domain

import (
	"cmp"
	"slices"
	"time"
)

// Sizes of the dashboard's lists and window.
const (
	TopSize       = 5
	LatestSize    = 10
	WindowMinutes = 180
	summaryWindow = 60
)

// Money is an amount of minor units in a currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Totals are a day's headline figures.
type Totals struct {
	Orders       int64   `json:"orders"`
	Units        int64   `json:"units"`
	Revenue      []Money `json:"revenue"`
	Views        int64   `json:"views"`
	Carts        int64   `json:"carts"`
	Checkouts    int64   `json:"checkouts"`
	Searches     int64   `json:"searches"`
	ZeroSearches int64   `json:"zero_result_searches"`
	Refunds      int64   `json:"refunds"`
	Refunded     []Money `json:"refunded"`
}

// Point is one minute of the series.
type Point struct {
	Minute    time.Time `json:"minute"`
	Orders    int64     `json:"orders"`
	Revenue   int64     `json:"revenue"` // in the dashboard's Currency
	Views     int64     `json:"views"`
	Carts     int64     `json:"carts"`
	Checkouts int64     `json:"checkouts"`
}

// Step is one step of the funnel; Rate is its count over the previous
// step's (1 for the first step, 0 when the previous step is 0).
type Step struct {
	Step  string  `json:"step"`
	Count int64   `json:"count"`
	Rate  float64 `json:"rate"`
}

// TopProduct is one of the day's best products.
type TopProduct struct {
	ProductID string `json:"product_id"`
	Name      string `json:"name"`
	Views     int64  `json:"views"`
	Carts     int64  `json:"carts"`
	Quantity  int64  `json:"quantity"`
	Revenue   Money  `json:"revenue"`
}

// Query is a search that found nothing and how often it was made today.
type Query struct {
	Query string `json:"query"`
	Count int64  `json:"count"`
}

// SaleView is a paid order as the dashboard shows it.
type SaleView struct {
	OrderID string     `json:"order_id"`
	PaidAt  time.Time  `json:"paid_at"`
	Status  string     `json:"status"`
	Items   int64      `json:"items"`
	Total   Money      `json:"total"`
	Lines   []LineView `json:"lines"`
}

// LineView is one line of a SaleView.
type LineView struct {
	ProductID string `json:"product_id"`
	Name      string `json:"name"`
	UnitPrice Money  `json:"unit_price"`
	Quantity  int64  `json:"quantity"`
}

// Dashboard is what the merchant console shows. The first fields are the
// summary of earlier versions (orders_today ... latest_orders), kept so
// existing clients still read it.
type Dashboard struct {
	MerchantID      string        `json:"merchant_id"`
	Day             string        `json:"day"`
	OrdersToday     int64         `json:"orders_today"`
	RevenueToday    []Money       `json:"revenue_today"`
	UnitsToday      int64         `json:"units_today"`
	OrdersPerMinute []MinuteCount `json:"orders_per_minute"`
	OrdersLastHour  int64         `json:"orders_last_hour"`
	TopProducts     []TopProduct  `json:"top_products"`
	LatestOrders    []SaleView    `json:"latest_orders"`

	// Currency is the currency of the series' revenue (the day's largest).
	Currency       string  `json:"currency"`
	Today          Totals  `json:"today"`
	YesterdaySoFar Totals  `json:"yesterday_so_far"`
	Yesterday      Totals  `json:"yesterday"`
	Series         []Point `json:"series"`
	Funnel         []Step  `json:"funnel"`
	ZeroResults    []Query `json:"zero_result_searches"`
}

// MinuteCount is the number of orders paid in one minute.
type MinuteCount struct {
	Minute time.Time `json:"minute"`
	Orders int64     `json:"orders"`
}

// BuildDashboard computes the dashboard of owner at now from today's and
// yesterday's figures (either may be empty).
func BuildDashboard(owner string, now time.Time, today, yesterday *Figures) Dashboard {
	now = now.UTC()
	d := Dashboard{MerchantID: owner, Day: DayOf(now)}
	d.Today = totals(today, MinutesPerDay)
	d.Yesterday = totals(yesterday, MinutesPerDay)
	d.YesterdaySoFar = totals(yesterday, MinuteOf(now))
	d.OrdersToday, d.UnitsToday, d.RevenueToday = d.Today.Orders, d.Today.Units, d.Today.Revenue
	d.Currency = "USD"
	if len(d.Today.Revenue) > 0 {
		d.Currency = d.Today.Revenue[0].Currency
	} else if len(d.Yesterday.Revenue) > 0 {
		d.Currency = d.Yesterday.Revenue[0].Currency
	}
	d.Series = series(now, d.Currency, today, yesterday)
	for _, p := range d.Series[len(d.Series)-summaryWindow:] {
		d.OrdersPerMinute = append(d.OrdersPerMinute, MinuteCount{Minute: p.Minute, Orders: p.Orders})
		d.OrdersLastHour += p.Orders
	}
	d.Funnel = funnel(d.Today)
	d.TopProducts = topProducts(today)
	d.ZeroResults = zeroResults(today)
	d.LatestOrders = latest(today)
	return d
}

// MinutesPerDay is the number of minutes in a UTC day.
const MinutesPerDay = 24 * 60

// totals sums f's figures; the minute-based ones (views, carts,
// checkouts, orders, revenue) only before minute until (so yesterday can
// be compared up to the same time of day).
func totals(f *Figures, until int) Totals {
	t := Totals{Revenue: []Money{}, Refunded: []Money{}}
	if f == nil {
		return t
	}
	if until >= MinutesPerDay {
		t.Orders, t.Units, t.Views, t.Carts, t.Checkouts = f.Counts.Orders, f.Counts.Units, f.Counts.Views, f.Counts.Carts, f.Counts.Checkouts
		t.Searches, t.ZeroSearches, t.Refunds = f.Counts.Searches, f.Counts.ZeroSearches, f.Counts.Refunds
		for code, c := range f.Currencies {
			if c.Revenue != 0 {
				t.Revenue = append(t.Revenue, Money{Amount: c.Revenue, Currency: code})
			}
			if c.Refunded != 0 {
				t.Refunded = append(t.Refunded, Money{Amount: c.Refunded, Currency: code})
			}
		}
	} else {
		revenue := map[string]int64{}
		for i, m := range f.Minutes {
			if i > until {
				continue
			}
			t.Views += m.Views
			t.Carts += m.Carts
			t.Checkouts += m.Checkouts
			t.Orders += m.Orders
			for c, a := range m.Revenue {
				revenue[c] += a
			}
		}
		for c, a := range revenue {
			t.Revenue = append(t.Revenue, Money{Amount: a, Currency: c})
		}
	}
	sortMoney(t.Revenue)
	sortMoney(t.Refunded)
	return t
}

func sortMoney(list []Money) {
	slices.SortFunc(list, func(a, b Money) int {
		return cmp.Or(cmp.Compare(b.Amount, a.Amount), cmp.Compare(a.Currency, b.Currency))
	})
}

// series is the last WindowMinutes minutes, oldest first, the current
// minute last; the minutes before midnight come from yesterday.
func series(now time.Time, currency string, today, yesterday *Figures) []Point {
	current := now.Truncate(time.Minute)
	start := current.Add(-(WindowMinutes - 1) * time.Minute)
	out := make([]Point, WindowMinutes)
	for i := range out {
		at := start.Add(time.Duration(i) * time.Minute)
		out[i].Minute = at
		f := today
		if DayOf(at) != DayOf(now) {
			f = yesterday
		}
		if f == nil {
			continue
		}
		if m := f.Minutes[MinuteOf(at)]; m != nil {
			out[i].Orders, out[i].Views, out[i].Carts, out[i].Checkouts = m.Orders, m.Views, m.Carts, m.Checkouts
			out[i].Revenue = m.Revenue[currency]
		}
	}
	return out
}

func funnel(t Totals) []Step {
	steps := []Step{
		{Step: "viewed", Count: t.Views},
		{Step: "added_to_cart", Count: t.Carts},
		{Step: "checkout_started", Count: t.Checkouts},
		{Step: "paid", Count: t.Orders},
	}
	steps[0].Rate = 1
	for i := 1; i < len(steps); i++ {
		if prev := steps[i-1].Count; prev > 0 {
			steps[i].Rate = float64(steps[i].Count) / float64(prev)
		}
	}
	return steps
}

func topProducts(f *Figures) []TopProduct {
	out := []TopProduct{}
	if f == nil {
		return out
	}
	for id, p := range f.Products {
		tp := TopProduct{ProductID: id, Name: p.Name, Views: p.Views, Carts: p.Carts, Quantity: p.Units}
		for c, a := range p.Revenue {
			if a > tp.Revenue.Amount {
				tp.Revenue = Money{Amount: a, Currency: c}
			}
		}
		out = append(out, tp)
	}
	slices.SortFunc(out, func(a, b TopProduct) int {
		return cmp.Or(cmp.Compare(b.Revenue.Amount, a.Revenue.Amount), cmp.Compare(b.Quantity, a.Quantity),
			cmp.Compare(b.Carts, a.Carts), cmp.Compare(b.Views, a.Views), cmp.Compare(a.ProductID, b.ProductID))
	})
	return out[:min(len(out), TopSize)]
}

func zeroResults(f *Figures) []Query {
	out := []Query{}
	if f == nil {
		return out
	}
	for q, n := range f.ZeroQueries {
		out = append(out, Query{Query: q, Count: n})
	}
	slices.SortFunc(out, func(a, b Query) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Query, b.Query)) })
	return out[:min(len(out), 10)]
}

func latest(f *Figures) []SaleView {
	out := []SaleView{}
	if f == nil {
		return out
	}
	for _, s := range f.Sales {
		out = append(out, View(s))
	}
	slices.SortFunc(out, func(a, b SaleView) int {
		return cmp.Or(b.PaidAt.Compare(a.PaidAt), cmp.Compare(b.OrderID, a.OrderID))
	})
	return out[:min(len(out), LatestSize)]
}

// View is s as the dashboard shows it.
func View(s Sale) SaleView {
	v := SaleView{OrderID: s.OrderID, PaidAt: s.PaidAt, Status: s.Status, Lines: make([]LineView, 0, len(s.Lines))}
	for _, l := range s.Lines {
		v.Items += l.Quantity
		v.Total.Currency = l.Currency
		v.Total.Amount += l.UnitPrice * l.Quantity
		v.Lines = append(v.Lines, LineView{ProductID: l.ProductID, Name: l.Name, UnitPrice: Money{Amount: l.UnitPrice, Currency: l.Currency}, Quantity: l.Quantity})
	}
	return v
}
