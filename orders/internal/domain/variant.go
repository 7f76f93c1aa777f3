package domain

import (
	"maps"
	"slices"
)

// Variant is what a cart item or an order line knows of the variant it is
// (issue 18, docs/api.md): a variant is a sellable stock item with its own
// id, which is the line's ProductID; Of is the id of the product it is a
// variant of and Options its value of each of the product's options, such
// as {"size": "M"}. The zero Variant is a product without variants (its
// own single, implicit variant): lines stored before variants have it.
type Variant struct {
	Of      string
	Options map[string]string
}

// IsZero reports whether v is no variant (a product without options).
func (v Variant) IsZero() bool { return v.Of == "" && len(v.Options) == 0 }

// OptionNames lists the option names of v in order.
func (v Variant) OptionNames() []string {
	return slices.Sorted(maps.Keys(v.Options))
}
