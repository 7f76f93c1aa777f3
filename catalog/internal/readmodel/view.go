package readmodel

import (
	"slices"
	"sort"
	"strings"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// position is a place in a sort order: a sort key and a product id.
type position struct {
	key int64
	id  string
}

// compare orders two positions in sort order s: negative when a comes
// first. Every order is total thanks to the id.
func compare(s domain.Sort, a, b position) int {
	byID := strings.Compare(a.id, b.id)
	switch s {
	case domain.SortPriceAsc:
		if a.key != b.key {
			return cmpInt(a.key, b.key)
		}
		return byID
	case domain.SortRelevance:
		if a.key != b.key {
			return cmpInt(b.key, a.key)
		}
		return byID
	default: // price_desc and newest: both descending
		if a.key != b.key {
			return cmpInt(b.key, a.key)
		}
		return -byID
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortKey is p's key in a sort order that does not depend on a search.
func sortKey(s domain.Sort, p domain.Product) int64 {
	if s == domain.SortNewest {
		return p.CreatedAt.UnixMilli()
	}
	return p.Price.Amount
}

// view is the visible products in one sort order.
type view struct {
	sort  domain.Sort
	items []*item
}

func (v *view) pos(it *item) position {
	return position{key: sortKey(v.sort, it.shown), id: it.p.ID}
}

func (v *view) search(p position) int {
	return sort.Search(len(v.items), func(i int) bool { return compare(v.sort, v.pos(v.items[i]), p) >= 0 })
}

func (v *view) insert(it *item) {
	v.items = slices.Insert(v.items, v.search(v.pos(it)), it)
}

func (v *view) remove(it *item) {
	i := v.search(v.pos(it))
	if i < len(v.items) && v.items[i] == it {
		v.items = slices.Delete(v.items, i, i+1)
		return
	}
	if j := slices.Index(v.items, it); j >= 0 { // cannot happen; stay correct anyway
		v.items = slices.Delete(v.items, j, j+1)
	}
}

// after returns the index of the first item strictly after the cursor.
func (v *view) after(c position) int {
	return sort.Search(len(v.items), func(i int) bool { return compare(v.sort, v.pos(v.items[i]), c) > 0 })
}
