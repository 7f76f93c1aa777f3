package readmodel

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// Page is one page of a product list: the public JSON of its products and
// the cursor of the next page (nil on the last page).
type Page struct {
	Items [][]byte
	Next  *domain.Cursor
}

// Search answers a product list query over the visible products.
func (m *Model) Search(q domain.Query) Page {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var hits []hit
	if q.Text != "" {
		hits = m.matching(q)
	} else {
		hits = m.scan(q)
	}
	page := Page{Items: make([][]byte, 0, min(len(hits), q.Limit))}
	for i, h := range hits {
		if i == q.Limit {
			last := hits[i-1]
			page.Next = &domain.Cursor{Sort: q.Sort, Key: last.pos.key, ID: last.pos.id}
			break
		}
		page.Items = append(page.Items, h.item.public)
	}
	return page
}

// hit is a matching item at its position in the query's sort order.
type hit struct {
	item *item
	pos  position
}

// scan walks the presorted view of the query's order from the cursor and
// returns up to Limit+1 matching items.
func (m *Model) scan(q domain.Query) []hit {
	s, reverse := q.Sort, false
	if s == domain.SortPriceDesc {
		s, reverse = domain.SortPriceAsc, true
	}
	v := m.views[s]
	out := make([]hit, 0, q.Limit+1)
	// Walk forwards from just after the cursor, or for price_desc (price_asc
	// backwards) from just before it.
	i, step := 0, 1
	if reverse {
		i, step = len(v.items)-1, -1
	}
	if q.After != nil {
		at := position{key: q.After.Key, id: q.After.ID}
		if reverse {
			i = v.search(at) - 1
		} else {
			i = v.after(at)
		}
	}
	for ; i >= 0 && i < len(v.items) && len(out) <= q.Limit; i += step {
		if it := v.items[i]; matchesFilters(it, q) {
			out = append(out, hit{item: it, pos: position{key: sortKey(q.Sort, it.shown), id: it.p.ID}})
		}
	}
	return out
}

// matching finds the items whose words start with every search word (a
// bitset of slots per word: the union over the words it prefixes, then the
// intersection over the search words), then sorts them and returns up to
// Limit+1 after the cursor.
func (m *Model) matching(q domain.Query) []hit {
	var found []uint64
	for _, w := range q.Words {
		wordSlots := make([]uint64, (len(m.slots)+63)/64)
		matched := false
		for i, _ := slices.BinarySearch(m.tokens, w); i < len(m.tokens) && strings.HasPrefix(m.tokens[i], w); i++ {
			for _, slot := range m.postings[m.tokens[i]] {
				wordSlots[slot>>6] |= 1 << (slot & 63)
				matched = true
			}
		}
		if !matched {
			return nil // also a search text without words: nothing matches
		}
		if found == nil {
			found = wordSlots
			continue
		}
		for i := range found {
			found[i] &= wordSlots[i]
		}
	}
	var out []hit
	for i, word := range found {
		for word != 0 {
			slot := i*64 + bits.TrailingZeros64(word)
			word &= word - 1
			it := m.slots[slot]
			if !matchesFilters(it, q) {
				continue
			}
			var key int64
			if q.Sort == domain.SortRelevance {
				key = relevance(it, q.Words)
			} else {
				key = sortKey(q.Sort, it.shown)
			}
			p := position{key: key, id: it.p.ID}
			if q.After != nil && compare(q.Sort, p, position{key: q.After.Key, id: q.After.ID}) <= 0 {
				continue
			}
			out = append(out, hit{item: it, pos: p})
		}
	}
	slices.SortFunc(out, func(a, b hit) int { return compare(q.Sort, a.pos, b.pos) })
	if len(out) > q.Limit+1 {
		out = out[:q.Limit+1]
	}
	return out
}

// relevance scores how well it matches the search words, each of which
// starts one of its words: a whole word of the name counts most, then the
// start of a name word, a whole word elsewhere, the start of a word.
func relevance(it *item, words []string) int64 {
	var score int64
	for _, w := range words {
		_, exact := hasWordWithPrefix(it.words, w)
		inName, exactName := hasWordWithPrefix(it.nameWords, w)
		switch {
		case exactName:
			score += 4
		case inName:
			score += 3
		case exact:
			score += 2
		default:
			score++
		}
	}
	return score
}

func matchesFilters(it *item, q domain.Query) bool {
	p := &it.shown
	return (q.Category == "" || p.Category == q.Category) &&
		(q.MerchantID == "" || p.MerchantID == q.MerchantID) &&
		(q.MinPrice == nil || p.Price.Amount >= *q.MinPrice) &&
		(q.MaxPrice == nil || p.Price.Amount <= *q.MaxPrice) &&
		(!q.InStock || p.Stock.Available > 0)
}

// Merchant lists a merchant's products, archived ones included, newest
// first, after the cursor (sort newest): parents as shown, with their
// variants, and never a variant on its own.
func (m *Model) Merchant(merchantID string, limit int, after *domain.Cursor) ([]domain.Product, *domain.Cursor) {
	m.mu.RLock()
	hits := make([]hit, 0, len(m.byMerchant[merchantID]))
	for _, it := range m.byMerchant[merchantID] {
		p := position{key: sortKey(domain.SortNewest, it.p), id: it.p.ID}
		if after != nil && compare(domain.SortNewest, p, position{key: after.Key, id: after.ID}) <= 0 {
			continue
		}
		hits = append(hits, hit{item: it, pos: p})
	}
	m.mu.RUnlock()
	slices.SortFunc(hits, func(a, b hit) int { return compare(domain.SortNewest, a.pos, b.pos) })
	var next *domain.Cursor
	if len(hits) > limit {
		last := hits[limit-1]
		next = &domain.Cursor{Sort: domain.SortNewest, Key: last.pos.key, ID: last.pos.id}
		hits = hits[:limit]
	}
	out := make([]domain.Product, len(hits))
	for i, h := range hits {
		out[i] = h.item.shown
	}
	return out, next
}
