package readmodel

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// renderID renders just the id, so tests can read pages back.
func renderID(p domain.Product) []byte { b, _ := json.Marshal(p.ID); return b }

func product(id, name, category string, price int64, created time.Time) domain.Product {
	return domain.Product{ID: id, MerchantID: "m1", SKU: "SKU-" + id, Name: name, Category: category,
		Price: domain.Money{Amount: price, Currency: "USD"}, Stock: domain.Stock{Available: 1}, Initial: 1,
		Version: 1, CreatedAt: created, UpdatedAt: created}
}

func ids(page Page) []string {
	out := make([]string, len(page.Items))
	for i, raw := range page.Items {
		_ = json.Unmarshal(raw, &out[i])
	}
	return out
}

func mustQuery(t *testing.T, raw string) domain.Query {
	t.Helper()
	values, _ := url.ParseQuery(raw)
	q, err := domain.ParseQuery(values)
	if err != nil {
		t.Fatalf("query %q: %v", raw, err)
	}
	return q
}

func TestApplyKeepsTheNewestVersion(t *testing.T) {
	m := New(renderID)
	p := product("p1", "Mug", "kitchen", 100, time.Unix(1, 0))
	p.Version = 3
	if !m.Apply(p) {
		t.Fatal("first apply refused")
	}
	old := p
	old.Version, old.Name = 2, "Stale"
	if m.Apply(old) {
		t.Fatal("stale version applied")
	}
	if got, _ := m.Get("p1"); got.Name != "Mug" {
		t.Fatalf("name %q after a stale apply", got.Name)
	}
}

func TestArchivedDisappearsFromBrowsing(t *testing.T) {
	m := New(renderID)
	p := product("p1", "Blue mug", "kitchen", 100, time.Unix(1, 0))
	m.Apply(p)
	if got := ids(m.Search(mustQuery(t, "q=blu"))); len(got) != 1 {
		t.Fatalf("search before archiving = %v", got)
	}
	p.Archived, p.Version = true, 2
	m.Apply(p)
	if _, ok := m.PublicJSON("p1"); ok {
		t.Fatal("archived product readable")
	}
	if got := ids(m.Search(mustQuery(t, "q=blu"))); len(got) != 0 {
		t.Fatalf("archived product found: %v", got)
	}
	if got := ids(m.Search(mustQuery(t, ""))); len(got) != 0 {
		t.Fatalf("archived product browsed: %v", got)
	}
	if len(m.Categories()) != 0 || len(m.PublicBatch([]string{"p1"})) != 0 {
		t.Fatal("archived product counted or batch-read")
	}
	if own, _ := m.Merchant("m1", 10, nil); len(own) != 1 {
		t.Fatal("merchant lost sight of the archived product")
	}
}

func TestSearchPrefixesRelevanceAndFilters(t *testing.T) {
	m := New(renderID)
	now := time.Unix(100, 0)
	m.Apply(product("a", "Wireless headphones", "audio", 5000, now))
	m.Apply(product("b", "Headphone stand", "audio", 1500, now))
	m.Apply(product("c", "Wired earbuds", "audio", 900, now))
	desc := product("d", "Speaker", "audio", 7000, now)
	desc.Description = "pairs with wireless headphones"
	m.Apply(desc)

	cases := map[string][]string{
		"q=head":                                 {"a", "b", "d"}, // name prefixes tie (then id); description last
		"q=headphone":                            {"b", "a", "d"}, // a whole name word beats a prefix
		"q=wire+head":                            {"a", "d"},
		"q=WIRE":                                 {"a", "c", "d"},
		"q=head&sort=price_asc":                  {"b", "a", "d"},
		"q=head&sort=price_desc":                 {"d", "a", "b"},
		"q=head&max_price=5000&min_price=1500":   {"a", "b"},
		"q=sku-c":                                {"c"},
		"q=xyz":                                  {},
		"q=%24%24%24":                            {}, // a text without words matches nothing
		"category=audio&sort=price_asc":          {"c", "b", "a", "d"},
		"category=Audio&max_price=1000":          {"c"},
		"category=%24ne":                         {},
		"merchant_id=%7B%22%24gt%22%3A%22%22%7D": {},
	}
	for raw, want := range cases {
		got := ids(m.Search(mustQuery(t, raw)))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", raw, got, want)
		}
	}
	out := product("e", "Headphones out of stock", "audio", 100, now)
	out.Stock = domain.Stock{Sold: 1}
	m.Apply(out)
	if got := ids(m.Search(mustQuery(t, "q=headphones&in_stock=true"))); fmt.Sprint(got) != "[a d]" {
		t.Errorf("in_stock = %v", got)
	}
}

// TestPagesNeitherSkipNorRepeatWhileAdding pages through every sort order
// while products are added between pages: every product that existed at
// the start is seen exactly once.
func TestPagesNeitherSkipNorRepeatWhileAdding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, raw := range []string{"sort=newest", "sort=price_asc", "sort=price_desc", "q=item", "q=item&sort=price_desc", "category=c1&sort=price_asc"} {
		t.Run(raw, func(t *testing.T) {
			m := New(renderID)
			base := time.Unix(1_000, 0)
			initial := map[string]bool{}
			for i := range 300 {
				p := product(fmt.Sprintf("p%03d", i), "Item", fmt.Sprintf("c%d", i%3), int64(rng.IntN(50)), base.Add(time.Duration(rng.IntN(100))*time.Second))
				m.Apply(p)
				if raw != "category=c1&sort=price_asc" || p.Category == "c1" {
					initial[p.ID] = true
				}
			}
			seen := map[string]int{}
			q := mustQuery(t, raw+"&limit=7")
			for added := 0; ; added++ {
				page := m.Search(q)
				for _, id := range ids(page) {
					seen[id]++
				}
				if page.Next == nil {
					break
				}
				q.After = page.Next
				// New products: some sort before the cursor, some after.
				m.Apply(product(fmt.Sprintf("new%03d", added), "Item", "c1", int64(rng.IntN(50)), base.Add(time.Duration(rng.IntN(200))*time.Second)))
			}
			for id := range initial {
				if seen[id] != 1 {
					t.Fatalf("%s seen %d times", id, seen[id])
				}
			}
			for id, n := range seen {
				if n != 1 {
					t.Fatalf("%s repeated %d times", id, n)
				}
			}
		})
	}
}

func TestStockAndPriceChangesMoveItems(t *testing.T) {
	m := New(renderID)
	now := time.Unix(1, 0)
	m.Apply(product("a", "A", "x", 100, now))
	m.Apply(product("b", "B", "x", 200, now))
	b := product("b", "B", "x", 50, now)
	b.Version = 2
	m.Apply(b)
	if got := ids(m.Search(mustQuery(t, "sort=price_asc"))); fmt.Sprint(got) != "[b a]" {
		t.Fatalf("after repricing = %v", got)
	}
	if got := m.Categories(); len(got) != 1 || got[0].Count != 2 {
		t.Fatalf("categories %v", got)
	}
}
