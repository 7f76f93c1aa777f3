// Package readmodel is the catalog's in-memory read side: every product by id,
// merchant and category, presorted views for each sort order and a word-prefix
// index for search. Browse, search and product reads are answered from here,
// because the embedded store scans for any query other than an _id lookup
// (docs/architecture.md "Storage rules"). The service applies each of its
// writes before answering, so a change is visible to the next request; a
// version number per product keeps stale snapshots out.
package readmodel

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// Renderer turns a product into its public JSON; the model caches the
// result per product version so reads do not encode anything.
type Renderer func(domain.Product) []byte

// Model is the read model. It is safe for concurrent use.
type Model struct {
	render Renderer

	mu         sync.RWMutex
	items      map[string]*item
	byMerchant map[string]map[string]*item
	views      map[domain.Sort]*view // visible products, per sort order
	categories map[string]int
	// Search index: every product has a fixed slot; a word's posting list
	// holds the slots of the visible products that have the word.
	slotOf   map[string]int32
	slots    []*item
	tokens   []string // sorted words of visible products
	postings map[string][]int32
}

// item is one product with what reads need precomputed.
type item struct {
	slot int32
	p    domain.Product // as stored
	// shown is the product as shoppers see it: p itself, or a parent with
	// its variants (lowest price, summed stock), or a variant with its
	// parent's details (variants.go). Sorting, filters and the public JSON
	// use it.
	shown domain.Product
	// listed items are browsed, searched, counted in categories and
	// listed to their merchant: every product but variants.
	listed bool
	// visible items may be read by shoppers: not archived, and for a
	// variant, its parent is known and not archived.
	visible   bool
	words     []string // sorted, unique: name, description, category, SKU (and a parent's variants' SKUs)
	nameWords []string // sorted, unique
	public    []byte
}

// New returns an empty model rendering public JSON with render.
func New(render Renderer) *Model {
	return &Model{
		render:     render,
		items:      map[string]*item{},
		byMerchant: map[string]map[string]*item{},
		views: map[domain.Sort]*view{
			domain.SortPriceAsc: {sort: domain.SortPriceAsc},
			domain.SortNewest:   {sort: domain.SortNewest},
		},
		postings:   map[string][]int32{},
		categories: map[string]int{},
		slotOf:     map[string]int32{},
	}
}

// Apply stores p unless the model already has this version or a newer
// one, and reports whether it did.
func (m *Model) Apply(p domain.Product) bool {
	if isFamily(p) {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.applyFamilyLocked(p)
	}
	it := m.newItem(p)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.applyLocked(it)
}

// applyLocked stores it unless the model has its version or a newer one;
// the caller holds the write lock.
func (m *Model) applyLocked(it *item) bool {
	if old := m.items[it.p.ID]; old != nil && old.p.Version >= it.p.Version {
		return false
	}
	m.replaceLocked(it)
	return true
}

// replaceLocked stores it in place of the product's current item; the
// caller holds the write lock.
func (m *Model) replaceLocked(it *item) {
	p := it.p
	old := m.items[p.ID]
	// Stock changes, the common case, leave the words alone.
	wordsChanged := old == nil || old.visible != it.visible || !slices.Equal(old.words, it.words)
	if old != nil {
		it.slot = old.slot
		m.unindex(old, wordsChanged)
	} else {
		it.slot = int32(len(m.slots)) //nolint:gosec // slots are products of one catalog, far below 2^31
		m.slotOf[p.ID] = it.slot
		m.slots = append(m.slots, nil)
	}
	m.items[p.ID] = it
	m.slots[it.slot] = it
	m.index(it, wordsChanged)
}

// Len is the number of products, archived ones included.
func (m *Model) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.items)
}

// Get returns a product, archived or not.
func (m *Model) Get(id string) (domain.Product, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	it, ok := m.items[id]
	if !ok {
		return domain.Product{}, false
	}
	return it.p, true
}

// PublicJSON returns the public JSON of a product shoppers may see.
func (m *Model) PublicJSON(id string) ([]byte, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	it, ok := m.items[id]
	if !ok || !it.visible {
		return nil, false
	}
	return it.public, true
}

// PublicBatch returns the public JSON of the visible products among ids,
// in the order of ids; unknown and archived ones are left out.
func (m *Model) PublicBatch(ids []string) [][]byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([][]byte, 0, len(ids))
	for _, id := range ids {
		if it, ok := m.items[id]; ok && it.visible {
			out = append(out, it.public)
		}
	}
	return out
}

// Category is a category and its number of visible products.
type Category struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Categories lists the categories of visible products by name.
func (m *Model) Categories() []Category {
	m.mu.RLock()
	out := make([]Category, 0, len(m.categories))
	for name, n := range m.categories {
		out = append(out, Category{Name: name, Count: n})
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Category) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// newItem is the item of a product without variants.
func (m *Model) newItem(p domain.Product) *item {
	return m.itemOf(p, p, true, p.Visible())
}

// itemOf is the item of p shown as shown.
func (m *Model) itemOf(p, shown domain.Product, listed, visible bool) *item {
	text := shown.Name + " " + shown.Description + " " + shown.Category + " " + shown.SKU
	for _, v := range shown.Variants {
		text += " " + v.SKU
	}
	return &item{
		p: p, shown: shown, listed: listed, visible: visible,
		words: uniqueSorted(domain.Words(text)), nameWords: uniqueSorted(domain.Words(shown.Name)), public: m.render(shown),
	}
}

// index adds it to every structure (the search index only if its words
// changed); the caller holds the write lock.
func (m *Model) index(it *item, words bool) {
	if !it.listed {
		return
	}
	own := m.byMerchant[it.p.MerchantID]
	if own == nil {
		own = map[string]*item{}
		m.byMerchant[it.p.MerchantID] = own
	}
	own[it.p.ID] = it
	if !it.visible {
		return
	}
	for _, v := range m.views {
		v.insert(it)
	}
	m.categories[it.p.Category]++
	if !words {
		return
	}
	for _, w := range it.words {
		list, ok := m.postings[w]
		if !ok {
			i, _ := slices.BinarySearch(m.tokens, w)
			m.tokens = slices.Insert(m.tokens, i, w)
		}
		m.postings[w] = append(list, it.slot)
	}
}

// unindex removes it from every structure (the search index only if its
// words change); the caller holds the write lock.
func (m *Model) unindex(it *item, words bool) {
	if !it.listed {
		return
	}
	delete(m.byMerchant[it.p.MerchantID], it.p.ID)
	if !it.visible {
		return
	}
	for _, v := range m.views {
		v.remove(it)
	}
	if m.categories[it.p.Category]--; m.categories[it.p.Category] <= 0 {
		delete(m.categories, it.p.Category)
	}
	if !words {
		return
	}
	for _, w := range it.words {
		list := m.postings[w]
		if i := slices.Index(list, it.slot); i >= 0 {
			list[i] = list[len(list)-1]
			list = list[:len(list)-1]
		}
		if len(list) > 0 {
			m.postings[w] = list
			continue
		}
		delete(m.postings, w)
		if i, found := slices.BinarySearch(m.tokens, w); found {
			m.tokens = slices.Delete(m.tokens, i, i+1)
		}
	}
}

func uniqueSorted(words []string) []string {
	slices.Sort(words)
	return slices.Compact(words)
}

// hasWordWithPrefix reports whether a sorted word list holds a word that
// starts with prefix, and whether one equals it.
func hasWordWithPrefix(sorted []string, prefix string) (match, exact bool) {
	i := sort.SearchStrings(sorted, prefix)
	if i < len(sorted) && strings.HasPrefix(sorted[i], prefix) {
		return true, sorted[i] == prefix
	}
	return false, false
}
