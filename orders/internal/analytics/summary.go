package analytics

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/mercato-shop/mercato/platform/events"
)

// Sizes of the summary's lists.
const (
	topProductsSize  = 5
	latestOrdersSize = 10
	minutesInWindow  = 60
)

// Summary is a merchant's sales of the current UTC day, the body of
// GET /api/v1/merchant/analytics/summary and of the stream's "summary"
// events. Cancelled sales count in no number; they stay in LatestOrders
// with their status.
type Summary struct {
	MerchantID string `json:"merchant_id"`
	// Day is the UTC day, YYYY-MM-DD.
	Day         string `json:"day"`
	OrdersToday int    `json:"orders_today"`
	// RevenueToday has one entry per currency, largest first; empty
	// before the first sale.
	RevenueToday []events.Money `json:"revenue_today"`
	UnitsToday   int64          `json:"units_today"`
	// OrdersPerMinute covers the last 60 minutes, oldest first, the
	// current minute last.
	OrdersPerMinute []MinuteCount `json:"orders_per_minute"`
	OrdersLastHour  int           `json:"orders_last_hour"`
	TopProducts     []TopProduct  `json:"top_products"`
	LatestOrders    []Sale        `json:"latest_orders"`
}

// MinuteCount is the number of orders paid in one minute.
type MinuteCount struct {
	Minute time.Time `json:"minute"`
	Orders int       `json:"orders"`
}

// TopProduct is one of the day's best sellers by revenue.
type TopProduct struct {
	ProductID string       `json:"product_id"`
	Name      string       `json:"name"`
	Quantity  int64        `json:"quantity"`
	Revenue   events.Money `json:"revenue"`
}

// Sale is one paid order as the merchant sees it: its lines only, and
// their total. It is also the data of the stream's "sale" events.
type Sale struct {
	OrderID string    `json:"order_id"`
	PaidAt  time.Time `json:"paid_at"`
	// Status is paid, shipped or cancelled.
	Status string       `json:"status"`
	Items  int64        `json:"items"`
	Total  events.Money `json:"total"`
	Lines  []SaleLine   `json:"lines"`
}

// SaleLine is one line of a Sale.
type SaleLine struct {
	ProductID string       `json:"product_id"`
	Name      string       `json:"name"`
	UnitPrice events.Money `json:"unit_price"`
	Quantity  int64        `json:"quantity"`
}

// snapshot is a summary and every sale of the day it was computed from.
type snapshot struct {
	summary Summary
	sales   []Sale // newest first
}

// Summary computes the merchant's summary now.
func (m *Model) Summary(ctx context.Context, merchant string) (Summary, error) {
	s, err := m.snapshot(ctx, merchant)
	return s.summary, err
}

func (m *Model) snapshot(ctx context.Context, merchant string) (snapshot, error) {
	now := m.now().UTC()
	today, err := m.loadDay(ctx, merchant, dayOf(now))
	if err != nil {
		return snapshot{}, err
	}
	windowStart := now.Truncate(time.Minute).Add(-(minutesInWindow - 1) * time.Minute)
	var window []sale // sales of the 60-minute window from yesterday
	if dayOf(windowStart) != dayOf(now) {
		if window, err = m.loadDay(ctx, merchant, dayOf(windowStart)); err != nil {
			return snapshot{}, err
		}
	}
	return summarize(merchant, now, today, window), nil
}

// summarize builds the snapshot from today's sales and, for the per-minute
// window only, yesterday's.
func summarize(merchant string, now time.Time, today, yesterday []sale) snapshot {
	sum := Summary{MerchantID: merchant, Day: dayOf(now), RevenueToday: []events.Money{}, TopProducts: []TopProduct{}}
	revenue := map[string]int64{}
	products := map[string]*TopProduct{}
	sales := make([]Sale, 0, len(today))
	for _, s := range today {
		pub := publicSale(s)
		sales = append(sales, pub)
		if s.Status == statusCancelled {
			continue
		}
		sum.OrdersToday++
		sum.UnitsToday += pub.Items
		for _, l := range s.Lines {
			amount := l.UnitPrice * l.Quantity
			revenue[l.Currency] += amount
			p := products[l.ProductID]
			if p == nil {
				p = &TopProduct{ProductID: l.ProductID, Name: l.Name, Revenue: events.Money{Currency: l.Currency}}
				products[l.ProductID] = p
			}
			p.Quantity += l.Quantity
			p.Revenue.Amount += amount
		}
	}
	for currency, amount := range revenue {
		sum.RevenueToday = append(sum.RevenueToday, events.Money{Amount: amount, Currency: currency})
	}
	slices.SortFunc(sum.RevenueToday, func(a, b events.Money) int {
		return cmp.Or(cmp.Compare(b.Amount, a.Amount), cmp.Compare(a.Currency, b.Currency))
	})
	for _, p := range products {
		sum.TopProducts = append(sum.TopProducts, *p)
	}
	slices.SortFunc(sum.TopProducts, func(a, b TopProduct) int {
		return cmp.Or(cmp.Compare(b.Revenue.Amount, a.Revenue.Amount), cmp.Compare(b.Quantity, a.Quantity), cmp.Compare(a.ProductID, b.ProductID))
	})
	sum.TopProducts = sum.TopProducts[:min(len(sum.TopProducts), topProductsSize)]
	slices.SortFunc(sales, func(a, b Sale) int {
		return cmp.Or(b.PaidAt.Compare(a.PaidAt), cmp.Compare(b.OrderID, a.OrderID))
	})
	sum.LatestOrders = sales[:min(len(sales), latestOrdersSize)]
	sum.OrdersPerMinute, sum.OrdersLastHour = perMinute(now, today, yesterday)
	return snapshot{summary: sum, sales: sales}
}

// perMinute counts the sales that are not cancelled in each of the last 60
// minutes.
func perMinute(now time.Time, days ...[]sale) ([]MinuteCount, int) {
	current := now.Truncate(time.Minute)
	start := current.Add(-(minutesInWindow - 1) * time.Minute)
	out := make([]MinuteCount, minutesInWindow)
	for i := range out {
		out[i].Minute = start.Add(time.Duration(i) * time.Minute)
	}
	total := 0
	for _, day := range days {
		for _, s := range day {
			i := int(s.PaidAt.Truncate(time.Minute).Sub(start) / time.Minute)
			if s.Status == statusCancelled || s.PaidAt.Before(start) || i < 0 || i >= len(out) {
				continue
			}
			out[i].Orders++
			total++
		}
	}
	return out, total
}

// publicSale is s in the API's shape.
func publicSale(s sale) Sale {
	out := Sale{OrderID: s.OrderID, PaidAt: s.PaidAt, Status: s.Status, Lines: make([]SaleLine, 0, len(s.Lines))}
	for _, l := range s.Lines {
		out.Items += l.Quantity
		out.Total.Currency = l.Currency
		out.Total.Amount += l.UnitPrice * l.Quantity
		out.Lines = append(out.Lines, SaleLine{
			ProductID: l.ProductID, Name: l.Name,
			UnitPrice: events.Money{Amount: l.UnitPrice, Currency: l.Currency}, Quantity: l.Quantity,
		})
	}
	return out
}
