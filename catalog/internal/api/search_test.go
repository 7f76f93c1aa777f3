package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/mercato-shop/mercato/catalog/internal/api"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
)

var (
	adjectives = []string{"wireless", "wooden", "vintage", "compact", "organic", "electric"}
	nouns      = []string{"headphones", "chair", "lamp", "kettle", "notebook", "speaker", "blanket"}
	categories = []string{"audio", "furniture", "home", "kitchen", "office"}
)

type seeded struct {
	id, name, category string
	price, stock       int
}

// seed creates n products of merchant A through the API (so they are in
// FerretDB) and returns them.
func seed(t *testing.T, s *server, n int, rng *rand.Rand) []seeded {
	t.Helper()
	out := make([]seeded, 0, n)
	for i := range n {
		p := seeded{
			name:     adjectives[rng.IntN(len(adjectives))] + " " + nouns[rng.IntN(len(nouns))],
			category: categories[rng.IntN(len(categories))],
			price:    100 + rng.IntN(100)*50,
			stock:    rng.IntN(3),
		}
		p.id = s.create(s.merchantA, productBody(fmt.Sprintf("SKU-%04d", i), p.name, p.category, p.price, p.stock))
		out = append(out, p)
	}
	return out
}

func (s *server) list(query string) map[string]any {
	s.t.Helper()
	status, out := s.do(http.MethodGet, "/api/v1/products?"+query, "", nil)
	if status != http.StatusOK {
		s.t.Fatalf("GET ?%s: %d %v", query, status, out)
	}
	return out
}

// all pages through a query and returns every id in order.
func (s *server) all(query string) []string {
	s.t.Helper()
	var ids []string
	cursor := ""
	for {
		q := query + "&limit=13"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		out := s.list(q)
		ids = append(ids, itemIDs(out)...)
		cursor = out["next_cursor"].(string)
		if cursor == "" {
			return ids
		}
	}
}

// TestSearchFiltersSortAndPaging runs browse queries over 300 products
// stored in FerretDB and checks them against the seeded data.
func TestSearchFiltersSortAndPaging(t *testing.T) {
	s := newServer(t)
	rng := rand.New(rand.NewPCG(3, 4))
	products := seed(t, s, 300, rng)
	byID := map[string]seeded{}
	for _, p := range products {
		byID[p.id] = p
	}
	expect := func(keep func(seeded) bool) []string {
		var ids []string
		for _, p := range products {
			if keep(p) {
				ids = append(ids, p.id)
			}
		}
		return ids
	}
	sameSet := func(name string, got, want []string) {
		t.Helper()
		g, w := slices.Clone(got), slices.Clone(want)
		slices.Sort(g)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Fatalf("%s: got %d products, want %d", name, len(got), len(want))
		}
		if len(want) == 0 {
			t.Fatalf("%s: test data matches nothing", name)
		}
	}

	// A word prefix, case-insensitive, over name, description and category.
	sameSet("q=WIRE", s.all("q=WIRE"), expect(func(p seeded) bool { return p.name[:4] == "wire" }))
	sameSet("q=wood+cha", s.all("q=wood+cha"), expect(func(p seeded) bool { return p.name == "wooden chair" }))
	sameSet("q=sku-0007", s.all("q=sku-0007"), []string{products[7].id})
	sameSet("category", s.all("category=Kitchen"), expect(func(p seeded) bool { return p.category == "kitchen" }))
	sameSet("price range", s.all("min_price=1000&max_price=2000"), expect(func(p seeded) bool { return p.price >= 1000 && p.price <= 2000 }))
	sameSet("in stock", s.all("in_stock=true&category=audio"), expect(func(p seeded) bool { return p.stock > 0 && p.category == "audio" }))

	// Sort orders.
	asc := s.all("sort=price_asc&q=lamp")
	if !slices.IsSortedFunc(asc, func(a, b string) int { return byID[a].price - byID[b].price }) {
		t.Fatal("price_asc out of order")
	}
	desc := s.all("sort=price_desc&category=home")
	if !slices.IsSortedFunc(desc, func(a, b string) int { return byID[b].price - byID[a].price }) {
		t.Fatal("price_desc out of order")
	}
	newest := s.all("sort=newest")
	if len(newest) != 300 || newest[0] != products[299].id || newest[299] != products[0].id {
		t.Fatalf("newest: %d products, first %s", len(newest), newest[0])
	}

	// A restarted replica loads the same from the store.
	model := readmodel.New(api.RenderPublic)
	fresh := usecase.New(usecase.Options{Store: s.store, Model: model})
	if n, err := fresh.LoadReadModel(context.Background()); err != nil || n != 300 {
		t.Fatalf("reload: %d %v", n, err)
	}
	if model.Len() != 300 || len(model.Categories()) != len(categories) {
		t.Fatalf("reloaded model: %d products, %d categories", model.Len(), len(model.Categories()))
	}
}

// TestPagingWhileProductsAreAdded: products created between page fetches
// never make a page skip or repeat one that existed when paging began.
func TestPagingWhileProductsAreAdded(t *testing.T) {
	s := newServer(t)
	rng := rand.New(rand.NewPCG(5, 6))
	existing := seed(t, s, 200, rng)
	added := 0
	for _, query := range []string{"sort=price_asc", "sort=newest", "q=lamp&sort=price_desc", "category=home"} {
		seen := map[string]int{}
		cursor := ""
		for {
			q := query + "&limit=9"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			out := s.list(q)
			for _, id := range itemIDs(out) {
				seen[id]++
			}
			cursor = out["next_cursor"].(string)
			if cursor == "" {
				break
			}
			added++
			s.create(s.merchantB, productBody(fmt.Sprintf("NEW-%d", added), "added lamp", "home", 100+rng.IntN(100)*50, 1))
		}
		for id, n := range seen {
			if n > 1 {
				t.Fatalf("%s: %s repeated", query, id)
			}
		}
		want := 0
		for _, p := range existing {
			if matchesQuery(query, p) {
				want++
				if seen[p.id] != 1 {
					t.Fatalf("%s: %s (%s, %d) skipped", query, p.id, p.name, p.price)
				}
			}
		}
		if want == 0 {
			t.Fatalf("%s matches no seeded product", query)
		}
	}
}

func matchesQuery(query string, p seeded) bool {
	switch query {
	case "q=lamp&sort=price_desc":
		return p.name[len(p.name)-4:] == "lamp"
	case "category=home":
		return p.category == "home"
	}
	return true
}

// TestOperatorSmugglingIsText: operator-looking values are plain text and
// never widen a result.
func TestOperatorSmugglingIsText(t *testing.T) {
	s := newServer(t)
	id := s.create(s.merchantA, productBody("GT-1", "Where gt lamp", "home", 500, 1))
	s.create(s.merchantA, productBody("OTHER", "Kettle", "kitchen", 700, 1))
	cases := map[string][]string{
		"q=" + url.QueryEscape(`{"$gt": ""}`): {id}, // the word "gt"
		"q=%24where":                          {id}, // the word "where"
		"q=%24%24":                            {},   // no words: nothing
		"category=" + url.QueryEscape(`{"$ne": null}`):  {},
		"category=%24where":                             {},
		"merchant_id=" + url.QueryEscape(`{"$gt": ""}`): {},
		"merchant_id[$ne]=x&category=home":              {id}, // an unknown parameter is ignored
		"q[$regex]=.*&category=home":                    {id},
	}
	for query, want := range cases {
		got := itemIDs(s.list(query))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", query, got, want)
		}
	}
	for _, query := range []string{"min_price=" + url.QueryEscape(`{"$gt":0}`), "limit=%24gt", "sort=%24where", "cursor=" + url.QueryEscape(`{"$gt":""}`)} {
		if status, out := s.do(http.MethodGet, "/api/v1/products?"+query, "", nil); status != http.StatusBadRequest {
			t.Errorf("%s: %d %v", query, status, out)
		}
	}
	if status, _ := s.do(http.MethodGet, "/api/v1/products/"+url.PathEscape(`{"$gt":""}`), "", nil); status != http.StatusNotFound {
		t.Errorf("operator as product id: %d", status)
	}
}
