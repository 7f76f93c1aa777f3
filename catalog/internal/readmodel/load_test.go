package readmodel

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// catalogOf is n products over a small vocabulary, some archived.
func catalogOf(n int) []domain.Product {
	words := []string{"oak", "desk", "lamp", "steel", "chair", "wool", "rug", "glass", "vase"}
	out := make([]domain.Product, n)
	for i := range out {
		p := product(fmt.Sprintf("p%04d", i), words[i%len(words)]+" "+words[(i/3)%len(words)], fmt.Sprintf("c%d", i%4), int64(i*37%101), time.Unix(int64(i%50), 0))
		p.Archived = i%11 == 0
		out[i] = p
	}
	return out
}

// TestLoadAnswersLikeApplyOneByOne compares every kind of query on a model
// filled by Load with one filled by Apply, including a product loaded twice
// at two versions and one already in the model at a newer version.
func TestLoadAnswersLikeApplyOneByOne(t *testing.T) {
	products := catalogOf(500)
	newer := products[7]
	newer.Version, newer.Name = 3, "renamed sofa"
	older := products[9]
	products = append(products, newer) // the same product twice: the newer wins

	applied, loaded := New(renderID), New(renderID)
	newest := older
	newest.Version, newest.Name = 5, "brass clock"
	applied.Apply(newest)
	loaded.Apply(newest) // already there, newer than what Load brings
	for _, p := range products {
		applied.Apply(p)
	}
	if got := loaded.Load(products); got != len(products)-2 {
		t.Fatalf("Load stored %d, want %d (one duplicate, one stale)", got, len(products)-2)
	}
	queries := []string{"sort=price_asc&limit=100", "sort=price_desc&limit=100", "sort=newest&limit=100", "category=c2&sort=price_asc",
		"q=oak&limit=100", "q=oak+de&sort=relevance", "q=sofa", "q=brass", "q=wool&sort=newest&limit=100", "in_stock=true&limit=100"}
	for _, raw := range queries {
		q := mustQuery(t, raw)
		a, l := ids(applied.Search(q)), ids(loaded.Search(q))
		if !slices.Equal(a, l) || len(a) == 0 {
			t.Errorf("%s: Load gives %v, Apply gives %v", raw, l, a)
		}
	}
	if !slices.Equal(applied.Categories(), loaded.Categories()) {
		t.Errorf("categories %v vs %v", loaded.Categories(), applied.Categories())
	}
	if p, _ := loaded.Get(older.ID); p.Version != 5 {
		t.Errorf("Load replaced version 5 by %d", p.Version)
	}
}

func TestSnapshotChunksRoundTrip(t *testing.T) {
	m := New(renderID)
	m.Load(catalogOf(2*ChunkSize + 17))
	products := m.Products()
	chunks, err := EncodeChunks(products)
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 3 {
		t.Fatalf("%d chunks, want 3", len(chunks))
	}
	back, err := DecodeChunks(chunks)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(products) {
		t.Fatalf("%d products back, want %d", len(back), len(products))
	}
	for i := range back {
		if back[i].ID != products[i].ID || back[i].Version != products[i].Version || !back[i].CreatedAt.Equal(products[i].CreatedAt) ||
			back[i].Archived != products[i].Archived || back[i].Price != products[i].Price {
			t.Fatalf("product %d: %+v back, want %+v", i, back[i], products[i])
		}
	}
	chunks[1] = chunks[1][:len(chunks[1])/2]
	if _, err := DecodeChunks(chunks); err == nil {
		t.Fatal("a truncated chunk decoded")
	}
}
