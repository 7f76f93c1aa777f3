package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
)

// dayDoc is one Key's figures: _id "<owner>|<day>". Short field names keep
// the document small; maps keyed by escaped ids carry the id inside.
type dayDoc struct {
	ID    string                 `bson:"_id"`
	Owner string                 `bson:"owner"`
	Day   string                 `bson:"day"`
	T     countsDoc              `bson:"t"`
	C     map[string]currencyDoc `bson:"c"`
	M     map[string]minuteDoc   `bson:"m"`
	P     map[string]productDoc  `bson:"p"`
	Z     map[string]queryDoc    `bson:"z"`
	Sales map[string]saleDoc     `bson:"sales"`
	// W holds, per source partition ("<topic>-<partition>"), the offset of
	// the last behaviour message applied to this document: the guard that
	// makes a redelivered message change nothing.
	W map[string]int64 `bson:"w"`
	// Refunds holds the ids of the refunds counted here.
	Refunds map[string]bool `bson:"refunds"`
}

type countsDoc struct {
	Views        int64 `bson:"views"`
	Carts        int64 `bson:"carts"`
	Checkouts    int64 `bson:"checkouts"`
	Searches     int64 `bson:"searches"`
	ZeroSearches int64 `bson:"zero"`
	Orders       int64 `bson:"orders"`
	Lines        int64 `bson:"lines"`
	Units        int64 `bson:"units"`
	Refunds      int64 `bson:"refunds"`
}

type currencyDoc struct {
	Orders   int64 `bson:"o"`
	Lines    int64 `bson:"l"`
	Units    int64 `bson:"u"`
	Revenue  int64 `bson:"r"`
	Refunds  int64 `bson:"f"`
	Refunded int64 `bson:"fa"`
}

type minuteDoc struct {
	Views     int64            `bson:"v"`
	Carts     int64            `bson:"c"`
	Checkouts int64            `bson:"k"`
	Orders    int64            `bson:"o"`
	Revenue   map[string]int64 `bson:"r"`
}

type productDoc struct {
	ID      string           `bson:"id"`
	Name    string           `bson:"n"`
	Views   int64            `bson:"v"`
	Carts   int64            `bson:"c"`
	Units   int64            `bson:"u"`
	Revenue map[string]int64 `bson:"r"`
}

type queryDoc struct {
	Query string `bson:"q"`
	Count int64  `bson:"n"`
}

type saleDoc struct {
	OrderID string    `bson:"order_id"`
	PaidAt  time.Time `bson:"paid_at"`
	Status  string    `bson:"status"`
	Lines   []lineDoc `bson:"lines"`
}

type lineDoc struct {
	ProductID string `bson:"product_id"`
	Name      string `bson:"name"`
	UnitPrice int64  `bson:"unit_price"`
	Currency  string `bson:"currency"`
	Quantity  int64  `bson:"quantity"`
	Discount  int64  `bson:"discount,omitempty"`
}

// keyEscaper makes an id usable as a field name (no dots, no leading
// dollar) without making two ids equal.
var keyEscaper = strings.NewReplacer("%", "%25", ".", "%2E", "$", "%24")

func fieldKey(id string) string { return "k" + keyEscaper.Replace(id) }

var keyUnescaper = strings.NewReplacer("%2E", ".", "%24", "$", "%25", "%")

// idOfKey reverses fieldKey, so a map entry need not repeat its id (every
// extra path makes FerretDB's update check for conflicts longer).
func idOfKey(k string) string { return keyUnescaper.Replace(strings.TrimPrefix(k, "k")) }

// currencyKey is an ISO 4217 code as a field name; anything else (which
// the producers never send) is filed under XXX, "no currency".
func currencyKey(code string) string {
	if len(code) == 3 && strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		return code
	}
	return "XXX"
}

func minuteKey(m int) string { return fmt.Sprintf("t%04d", m) }

func parseMinuteKey(k string) (int, bool) {
	if !strings.HasPrefix(k, "t") {
		return 0, false
	}
	m, err := strconv.Atoi(k[1:])
	return m, err == nil && m >= 0 && m < domain.MinutesPerDay
}

// figures converts a stored document into the domain's figures.
func (d *dayDoc) figures(k domain.Key) *domain.Figures {
	f := domain.NewFigures(k)
	f.Counts = domain.Counts(d.T)
	for code, c := range d.C {
		cc := domain.Currency(c)
		f.Currencies[code] = &cc
	}
	for key, m := range d.M {
		i, ok := parseMinuteKey(key)
		if !ok {
			continue
		}
		mm := &domain.Minute{Views: m.Views, Carts: m.Carts, Checkouts: m.Checkouts, Orders: m.Orders, Revenue: m.Revenue}
		if mm.Revenue == nil {
			mm.Revenue = map[string]int64{}
		}
		f.Minutes[i] = mm
	}
	for k, p := range d.P {
		if p.ID == "" {
			p.ID = idOfKey(k)
		}
		pp := &domain.Product{Name: p.Name, Views: p.Views, Carts: p.Carts, Units: p.Units, Revenue: p.Revenue}
		if pp.Revenue == nil {
			pp.Revenue = map[string]int64{}
		}
		f.Products[p.ID] = pp
	}
	for k, q := range d.Z {
		if q.Query == "" {
			q.Query = idOfKey(k)
		}
		f.ZeroQueries[q.Query] += q.Count
	}
	for _, s := range d.Sales {
		sale := domain.Sale{OrderID: s.OrderID, PaidAt: s.PaidAt, Status: s.Status}
		for _, l := range s.Lines {
			sale.Lines = append(sale.Lines, domain.Line(l))
		}
		f.Sales[s.OrderID] = sale
	}
	return f
}

// update is the single-document update that adds delta to its document:
// $inc for every counter, $set for names, ids and sales; extra $set
// entries (the guards) are appended.
func update(delta *domain.Figures, extra bson.D) bson.D {
	inc := bson.D{}
	add := func(path string, n int64) {
		if n != 0 {
			inc = append(inc, bson.E{Key: path, Value: n})
		}
	}
	set := bson.D{{Key: "owner", Value: delta.Key.Owner}, {Key: "day", Value: delta.Key.Day}}
	c := delta.Counts
	add("t.views", c.Views)
	add("t.carts", c.Carts)
	add("t.checkouts", c.Checkouts)
	add("t.searches", c.Searches)
	add("t.zero", c.ZeroSearches)
	add("t.orders", c.Orders)
	add("t.lines", c.Lines)
	add("t.units", c.Units)
	add("t.refunds", c.Refunds)
	for code, cur := range delta.Currencies {
		p := "c." + currencyKey(code) + "."
		add(p+"o", cur.Orders)
		add(p+"l", cur.Lines)
		add(p+"u", cur.Units)
		add(p+"r", cur.Revenue)
		add(p+"f", cur.Refunds)
		add(p+"fa", cur.Refunded)
	}
	for i, m := range delta.Minutes {
		p := "m." + minuteKey(i) + "."
		add(p+"v", m.Views)
		add(p+"c", m.Carts)
		add(p+"k", m.Checkouts)
		add(p+"o", m.Orders)
		for code, a := range m.Revenue {
			add(p+"r."+currencyKey(code), a)
		}
	}
	for id, pr := range delta.Products {
		p := "p." + fieldKey(id) + "."
		if pr.Name != "" {
			set = append(set, bson.E{Key: p + "n", Value: pr.Name})
		}
		add(p+"v", pr.Views)
		add(p+"c", pr.Carts)
		add(p+"u", pr.Units)
		for code, a := range pr.Revenue {
			add(p+"r."+currencyKey(code), a)
		}
	}
	for q, n := range delta.ZeroQueries {
		p := "z." + fieldKey(q) + "."
		add(p+"n", n)
	}
	for id, s := range delta.Sales {
		doc := saleDoc{OrderID: s.OrderID, PaidAt: s.PaidAt.UTC(), Status: s.Status, Lines: make([]lineDoc, 0, len(s.Lines))}
		for _, l := range s.Lines {
			doc.Lines = append(doc.Lines, lineDoc(l))
		}
		set = append(set, bson.E{Key: "sales." + fieldKey(id), Value: doc})
	}
	set = append(set, extra...)
	out := bson.D{{Key: "$set", Value: set}}
	if len(inc) > 0 {
		out = append(out, bson.E{Key: "$inc", Value: inc})
	}
	return out
}
