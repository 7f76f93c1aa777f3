package readmodel

import (
	"runtime"
	"slices"
	"sync"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// Load applies many products at once, with the result Apply would give one
// by one, and reports how many it stored. Products new to the model are
// indexed in bulk: their words and public JSON are computed in parallel and
// the views and the word list are sorted once, instead of one insertion
// each (quadratic at start-up). Products the model already has go through
// the version check of Apply.
func (m *Model) Load(products []domain.Product) int {
	var simple, family []domain.Product
	for _, p := range products {
		if isFamily(p) {
			family = append(family, p)
		} else {
			simple = append(simple, p)
		}
	}
	built := m.newItems(simple)
	m.mu.Lock()
	defer m.mu.Unlock()
	stored := 0
	var fresh []*item
	seen := make(map[string]int, len(built)) // id -> index in fresh
	for _, it := range built {
		if j, ok := seen[it.p.ID]; ok { // the same product twice in one load
			if fresh[j].p.Version < it.p.Version {
				fresh[j] = it
			}
			continue
		}
		if m.items[it.p.ID] != nil {
			if m.applyLocked(it) {
				stored++
			}
			continue
		}
		seen[it.p.ID] = len(fresh)
		fresh = append(fresh, it)
	}
	m.bulkIndex(fresh)
	// Parents and variants one by one, variants first: each is shown with
	// the others of its family.
	slices.SortStableFunc(family, func(a, b domain.Product) int { return cmpBool(b.IsVariant(), a.IsVariant()) })
	for _, p := range family {
		if m.applyFamilyLocked(p) {
			stored++
		}
	}
	return stored + len(fresh)
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// newItems builds the items of products on every core.
func (m *Model) newItems(products []domain.Product) []*item {
	out := make([]*item, len(products))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(products)/256))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(products); i += workers {
				out[i] = m.newItem(products[i])
			}
		}()
	}
	wg.Wait()
	return out
}

// bulkIndex adds items that are new to the model to every structure, then
// restores the sort orders; the caller holds the write lock.
func (m *Model) bulkIndex(items []*item) {
	if len(items) == 0 {
		return
	}
	newWords := map[string]bool{}
	for _, it := range items {
		it.slot = int32(len(m.slots)) //nolint:gosec // slots are products of one catalog, far below 2^31
		m.slotOf[it.p.ID] = it.slot
		m.slots = append(m.slots, it)
		m.items[it.p.ID] = it
		own := m.byMerchant[it.p.MerchantID]
		if own == nil {
			own = map[string]*item{}
			m.byMerchant[it.p.MerchantID] = own
		}
		own[it.p.ID] = it
		if !it.visible {
			continue
		}
		for _, v := range m.views {
			v.items = append(v.items, it)
		}
		m.categories[it.p.Category]++
		for _, w := range it.words {
			list, ok := m.postings[w]
			if !ok {
				newWords[w] = true
			}
			m.postings[w] = append(list, it.slot)
		}
	}
	for w := range newWords {
		m.tokens = append(m.tokens, w)
	}
	slices.Sort(m.tokens)
	for _, v := range m.views {
		slices.SortFunc(v.items, func(a, b *item) int { return compare(v.sort, v.pos(a), v.pos(b)) })
	}
}
