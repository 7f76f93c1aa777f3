package domain

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// Sort orders of a product list.
type Sort string

// Sort orders. Every order ends with the product id, so it is total and a
// cursor names an exact position.
const (
	// SortRelevance: best match first (only with a search text).
	SortRelevance Sort = "relevance"
	// SortPriceAsc: cheapest first.
	SortPriceAsc Sort = "price_asc"
	// SortPriceDesc: dearest first.
	SortPriceDesc Sort = "price_desc"
	// SortNewest: most recently created first.
	SortNewest Sort = "newest"
)

// Page sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	// MaxQueryLength bounds the search text; MaxQueryWords its words.
	MaxQueryLength = 200
	MaxQueryWords  = 10
	// MaxBatchIDs bounds GET /products?ids=.
	MaxBatchIDs = 100
	// maxFilterLength bounds category and merchant_id filters.
	maxFilterLength = 128
)

// Query is a validated product list request. Its values are only ever
// compared with product fields in memory; none reaches a database query.
type Query struct {
	// Words are the search words (lower case); every one must be the
	// start of a word of the product. Text tells that a search was asked
	// for, even if it has no words (then nothing matches).
	Text       string
	Words      []string
	Category   string
	MerchantID string
	MinPrice   *int64
	MaxPrice   *int64
	InStock    bool
	Sort       Sort
	Limit      int
	After      *Cursor
}

// ParseQuery validates the query string of GET /products. Problems come
// back together as an *apperr.ValidationError.
func ParseQuery(values url.Values) (Query, error) {
	v := &apperr.ValidationError{}
	q := Query{Limit: DefaultLimit}

	q.Text = strings.TrimSpace(values.Get("q"))
	if utf8.RuneCountInString(q.Text) > MaxQueryLength || !utf8.ValidString(q.Text) {
		v.Add("q", "must be at most 200 characters")
	}
	q.Words = Words(q.Text)
	if len(q.Words) > MaxQueryWords {
		v.Add("q", "at most 10 words")
	}
	q.Category = NormalizeCategory(values.Get("category"))
	q.MerchantID = values.Get("merchant_id")
	if len(q.Category) > maxFilterLength {
		v.Add("category", "too long")
	}
	if len(q.MerchantID) > maxFilterLength {
		v.Add("merchant_id", "too long")
	}
	q.MinPrice = parsePrice(v, values, "min_price")
	q.MaxPrice = parsePrice(v, values, "max_price")
	if q.MinPrice != nil && q.MaxPrice != nil && *q.MinPrice > *q.MaxPrice {
		v.Add("max_price", "must not be less than min_price")
	}
	if raw, ok := lookup(values, "in_stock"); ok {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			v.Add("in_stock", "must be true or false")
		}
		q.InStock = b
	}
	q.Sort = parseSort(v, values, q.Text != "")
	q.Limit = ParseLimit(v, values)
	if raw, ok := lookup(values, "cursor"); ok {
		c, err := DecodeCursor(raw)
		switch {
		case err != nil:
			v.Add("cursor", "is not a cursor this service issued")
		case c.Sort != q.Sort:
			v.Add("cursor", "belongs to another sort order")
		default:
			q.After = &c
		}
	}
	return q, v.Err()
}

// ParseLimit reads the limit parameter (1-100, default 20) into v's errors.
func ParseLimit(v *apperr.ValidationError, values url.Values) int {
	raw, ok := lookup(values, "limit")
	if !ok {
		return DefaultLimit
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > MaxLimit {
		v.Add("limit", "must be an integer between 1 and 100")
		return DefaultLimit
	}
	return n
}

// ParseIDs validates the ids parameter of a batch read: 1 to 100 comma
// separated ids.
func ParseIDs(raw string) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	for _, id := range strings.Split(raw, ",") {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		if len(id) > maxFilterLength {
			return nil, apperr.Validation(apperr.FieldError{Field: "ids", Message: "an id is too long"})
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if len(ids) == 0 || len(ids) > MaxBatchIDs {
		return nil, apperr.Validation(apperr.FieldError{Field: "ids", Message: "must list 1 to 100 product ids"})
	}
	return ids, nil
}

func parseSort(v *apperr.ValidationError, values url.Values, hasText bool) Sort {
	raw, ok := lookup(values, "sort")
	if !ok {
		if hasText {
			return SortRelevance
		}
		return SortNewest
	}
	switch s := Sort(raw); s {
	case SortPriceAsc, SortPriceDesc, SortNewest:
		return s
	case SortRelevance:
		if !hasText {
			v.Add("sort", "relevance needs a search text q")
		}
		return s
	}
	v.Add("sort", "must be relevance, price_asc, price_desc or newest")
	return SortNewest
}

func parsePrice(v *apperr.ValidationError, values url.Values, name string) *int64 {
	raw, ok := lookup(values, name)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		v.Add(name, "must be a non-negative integer of minor units")
		return nil
	}
	return &n
}

// lookup returns a parameter that is present and not empty.
func lookup(values url.Values, name string) (string, bool) {
	raw := strings.TrimSpace(values.Get(name))
	return raw, raw != ""
}
