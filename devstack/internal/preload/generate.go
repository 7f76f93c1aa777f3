package preload

import (
	"fmt"
	"time"
)

// history is every document of one preload.
type history struct {
	products     []productDoc
	orders       []orderDoc
	reservations []reservationDoc
	payments     []paymentDoc
	byStatus     map[string]int
}

// categories are the preloaded products' categories.
var categories = []string{"books", "garden", "kitchen", "toys", "outdoor", "music", "office", "beauty", "tools", "games", "home", "sports"}

// cities give the shipping addresses some variety.
var cities = []struct{ city, postal, country string }{
	{"London", "N1 9GU", "GB"}, {"Paris", "75011", "FR"}, {"Berlin", "10115", "DE"}, {"Madrid", "28004", "ES"},
	{"Milano", "20121", "IT"}, {"Lisboa", "1100-148", "PT"}, {"Dublin", "D02 X285", "IE"}, {"Wien", "1010", "AT"},
}

// outcome is what became of a past order.
type outcome int

const (
	shipped outcome = iota
	paid
	declined   // payment declined: cancelled, stock released
	outOfStock // rejected by the catalog: cancelled, nothing held
)

// generate builds the documents of opts: products first (their stock is
// settled once every order is known), then orders oldest first, each with
// its reservation and, when it reached payment, its payment.
func generate(opts Options) history {
	r := newRand(opts.Seed)
	h := history{byStatus: map[string]int{}}
	first := opts.Now.Add(-opts.History)
	merchants := make([]string, opts.Merchants)
	for i := range merchants {
		merchants[i] = id(opts.Seed, "merchant", i)
	}
	shoppers := make([]string, opts.Shoppers)
	for i := range shoppers {
		shoppers[i] = id(opts.Seed, "shopper", i)
	}
	for i := range opts.Products {
		created := first.Add(-time.Duration(r.Int64N(int64(30 * 24 * time.Hour)))).Truncate(time.Millisecond)
		stock := 200 + r.Int64N(2000)
		h.products = append(h.products, productDoc{
			ID: id(opts.Seed, "product", i), MerchantID: merchants[i%len(merchants)],
			SKU: fmt.Sprintf("PRE-%d-%06d", opts.Seed%100000, i), Name: fmt.Sprintf("Preloaded item %d", i),
			Description: "A product of the shop's past, written by the load generator's preload.",
			Category:    categories[r.IntN(len(categories))],
			Price:       moneyDoc{Amount: 199 + r.Int64N(20000), Currency: "USD"}, Images: []string{},
			Archived: r.IntN(50) == 0, Stock: stockDoc{Available: stock}, Initial: stock,
			Version: 1, CreatedAt: created, UpdatedAt: created,
		})
	}
	span := opts.History - time.Hour
	for i := range opts.Orders {
		at := first.Add(time.Duration(float64(span) * (float64(i) + r.Float64()) / float64(max(1, opts.Orders)))).Truncate(time.Millisecond)
		h.addOrder(opts, r, i, at, shoppers[pickShopper(r, len(shoppers))])
	}
	return h
}

// pickShopper spreads orders over shoppers: three in ten come from the
// first twentieth (the regulars), the rest from anyone.
func pickShopper(r interface{ IntN(int) int }, n int) int {
	if regulars := n / 20; regulars > 0 && r.IntN(10) < 3 {
		return r.IntN(regulars)
	}
	return r.IntN(n)
}

// addOrder appends order i placed at, with its reservation and payment,
// and moves its products' stock counters.
func (h *history) addOrder(opts Options, r interface {
	IntN(int) int
	Int64N(int64) int64
}, i int, at time.Time, shopper string) {
	orderID := id(opts.Seed, "order", i)
	var out outcome
	switch n := r.IntN(100); {
	case n < 5:
		out = declined
	case n < 8:
		out = outOfStock
	case at.After(opts.Now.Add(-7 * 24 * time.Hour)):
		out = paid // the last week's orders are mostly not shipped yet
	case n < 20:
		out = paid
	default:
		out = shipped
	}
	lines, picked, merchantIDs, total := h.pickLines(r)
	city := cities[r.IntN(len(cities))]
	o := orderDoc{
		ID: orderID, ShopperID: shopper, Lines: lines, Total: total,
		ShippingAddress: addressDoc{Name: fmt.Sprintf("Shopper %d", i%997), Line1: fmt.Sprintf("%d Market Street", 1+i%200),
			City: city.city, PostalCode: city.postal, Country: city.country},
		PaymentMethod: "pm_card_visa", PaymentStatus: "succeeded", PaymentAttempt: 1,
		RequestHash: hash64(opts.Seed, "request", i), CartVersion: int64(1 + r.IntN(6)),
		MerchantIDs: merchantIDs, CreatedAt: at,
	}
	res := reservationDoc{OrderID: orderID, ExpiresAt: at.Add(15 * time.Minute), CreatedAt: at.Add(40 * time.Millisecond)}
	for _, l := range lines {
		res.Lines = append(res.Lines, reservationLineDoc{ProductID: l.ProductID, Quantity: l.Quantity})
	}
	paidAt := at.Add(time.Duration(300+r.IntN(1500)) * time.Millisecond)
	switch out {
	case shipped, paid:
		o.Status, o.Version, o.UpdatedAt = "paid", 3, paidAt
		o.PaymentIntentID = "pi_" + hash64(opts.Seed, "pi", i)[:24]
		if out == shipped {
			shippedAt := at.Add(time.Duration(12+r.IntN(96)) * time.Hour).Truncate(time.Millisecond)
			for k := range o.Lines {
				o.Lines[k].ShippedAt = &shippedAt
			}
			o.Status, o.Version, o.UpdatedAt = "shipped", 4, shippedAt
		}
		res.State, res.UpdatedAt = "committed", paidAt.Add(30*time.Millisecond)
		h.sell(lines, picked)
		h.payments = append(h.payments, payment(opts.Seed, i, o, "succeeded", paidAt))
	case declined:
		o.Status, o.CancelReason, o.Version, o.UpdatedAt = "cancelled", "payment_declined", 3, paidAt
		o.PaymentMethod, o.PaymentStatus = "pm_card_chargeDeclined", "failed"
		res.State, res.ReleaseReason, res.UpdatedAt = "released", "cancelled", paidAt.Add(30*time.Millisecond)
		h.payments = append(h.payments, payment(opts.Seed, i, o, "failed", paidAt))
	case outOfStock:
		o.Status, o.CancelReason, o.Version, o.UpdatedAt = "cancelled", "out_of_stock", 2, res.CreatedAt.Add(20*time.Millisecond)
		o.PaymentStatus, o.PaymentAttempt = "not_started", 0
		res.State, res.UpdatedAt = "rejected", res.CreatedAt
		res.Rejected = []rejectedLineDoc{{ProductID: lines[0].ProductID, Requested: lines[0].Quantity}}
	}
	key := o.Status
	if o.CancelReason != "" {
		key += ":" + o.CancelReason
	}
	h.byStatus[key]++
	h.orders = append(h.orders, o)
	h.reservations = append(h.reservations, res)
}

// pickLines draws one to three distinct products (mostly one) with a
// quantity of one or two, and returns the lines, the products' indexes,
// their merchants and the total.
func (h *history) pickLines(r interface {
	IntN(int) int
	Int64N(int64) int64
}) ([]orderLineDoc, []int, []string, moneyDoc) {
	n := 1
	switch k := r.IntN(10); {
	case k >= 9:
		n = 3
	case k >= 7:
		n = 2
	}
	n = min(n, len(h.products))
	var (
		lines     []orderLineDoc
		picked    []int
		merchants []string
		total     = moneyDoc{Currency: "USD"}
		seen      = map[int]bool{}
		seenM     = map[string]bool{}
	)
	for len(lines) < n {
		k := r.IntN(len(h.products))
		if seen[k] {
			continue
		}
		seen[k] = true
		picked = append(picked, k)
		p := h.products[k]
		qty := int64(1 + r.IntN(4)/3)
		lines = append(lines, orderLineDoc{ProductID: p.ID, MerchantID: p.MerchantID, Name: p.Name,
			UnitPrice: moneyDoc{Amount: p.Price.Amount, Currency: p.Price.Currency}, Quantity: qty})
		total.Amount += p.Price.Amount * qty
		if !seenM[p.MerchantID] {
			seenM[p.MerchantID] = true
			merchants = append(merchants, p.MerchantID)
		}
	}
	return lines, picked, merchants, total
}

// sell moves the lines' units from available to sold; a product that runs
// out was restocked before the sale (as its merchant would have).
func (h *history) sell(lines []orderLineDoc, picked []int) {
	for i, l := range lines {
		p := &h.products[picked[i]]
		if p.Stock.Available < l.Quantity {
			p.Restocked += 1000
			p.Stock.Available += 1000
		}
		p.Stock.Available -= l.Quantity
		p.Stock.Sold += l.Quantity
		p.Version++
	}
}

// payment is the payment document a past order left behind.
func payment(seed uint64, i int, o orderDoc, status string, at time.Time) paymentDoc {
	p := paymentDoc{
		ID: o.ID, ShopperID: o.ShopperID, Amount: o.Total.Amount, Currency: o.Total.Currency,
		PaymentMethod: o.PaymentMethod, Attempt: 1, Status: status,
		IdempotencyKey: fmt.Sprintf("mercato-pay-%s-%d", o.ID, 1), Refunds: []refundDoc{},
		Version: 2, CreatedAt: o.CreatedAt.Add(60 * time.Millisecond), UpdatedAt: at.Add(-10 * time.Millisecond),
	}
	if status == "succeeded" {
		p.PaymentIntentID = o.PaymentIntentID
	} else {
		p.PaymentIntentID = "pi_" + hash64(seed, "pi", i)[:24]
		p.DeclineCode, p.FailureCode, p.FailureMessage = "generic_decline", "card_declined", "Your card was declined."
	}
	return p
}
