package readmodel

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// benchModel is a model of 10,000 products over a small vocabulary.
func benchModel(b *testing.B) *Model {
	b.Helper()
	adjectives := []string{"wireless", "wooden", "vintage", "compact", "organic", "electric", "portable", "classic", "modern", "rustic"}
	nouns := []string{"headphones", "chair", "lamp", "kettle", "notebook", "speaker", "blanket", "camera", "jacket", "backpack"}
	rng := rand.New(rand.NewPCG(1, 1))
	m := New(func(p domain.Product) []byte { return []byte(p.ID) })
	for i := range 10_000 {
		adj, noun := adjectives[rng.IntN(10)], nouns[rng.IntN(10)]
		p := product(fmt.Sprintf("p%05d", i), adj+" "+noun, fmt.Sprintf("c%d", i%20), int64(rng.IntN(20_000)), time.Unix(int64(i), 0))
		p.Description = "A premium " + adj + " " + noun + " for everyday use"
		m.Apply(p)
	}
	return m
}

func BenchmarkSearchTwoWords(b *testing.B) {
	m := benchModel(b)
	q := domain.Query{Text: "wirel head", Words: []string{"wirel", "head"}, Sort: domain.SortRelevance, Limit: 20}
	b.ResetTimer()
	for b.Loop() {
		m.Search(q)
	}
}

func BenchmarkCategoryBrowse(b *testing.B) {
	m := benchModel(b)
	q := domain.Query{Category: "c7", Sort: domain.SortPriceAsc, Limit: 20}
	b.ResetTimer()
	for b.Loop() {
		m.Search(q)
	}
}
