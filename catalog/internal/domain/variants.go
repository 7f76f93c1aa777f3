package domain

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// Variants (docs/api.md "Variants"): a product with options is a parent
// that lists its variants and has no stock of its own; each variant is a
// stock item of its own, with its own id, SKU, price, weight and counters.
// A product without options is its own single, implicit variant.

// Limits of options and variants.
const (
	MaxOptions        = 3
	MaxOptionValues   = 20
	MaxOptionLength   = 30
	MaxVariants       = 100
	maxOptionsMessage = "must be 1-30 characters"
)

// CodeHasVariants is the problem code of ErrHasVariants.
const CodeHasVariants = "has_variants"

// ErrHasVariants is a stock change of a parent: its stock is its
// variants' (409 has_variants).
var ErrHasVariants = apperr.WithCode(CodeHasVariants,
	fmt.Errorf("%w: this product has variants; restock each variant by its id", apperr.ErrConflict))

// Option is one choice a product offers, such as size, with its values in
// the order shoppers see them.
type Option struct {
	Name   string
	Values []string
}

// VariantDraft is a new variant as a merchant describes it. Nil Price and
// WeightGrams take the product's.
type VariantDraft struct {
	SKU         string
	Options     map[string]string
	Price       *Money
	Stock       int64
	WeightGrams *int64
}

// VariantPatch changes a variant's SKU, price or weight; nil fields stay.
type VariantPatch struct {
	SKU         *string
	Price       *Money
	WeightGrams *int64
}

// VariantID is the id of a product's n-th variant (from 1). It passes the
// checks of product and order ids (letters, digits, '-').
func VariantID(productID string, n int) string { return productID + "-v" + strconv.Itoa(n) }

// checkOptions validates a product's options.
func checkOptions(v *apperr.ValidationError, options []Option) {
	if len(options) > MaxOptions {
		v.Add("options", "at most 3 options")
		return
	}
	names := map[string]bool{}
	for i, o := range options {
		field := "options." + strconv.Itoa(i)
		if !validOptionText(o.Name) {
			v.Add(field+".name", maxOptionsMessage)
		} else if names[o.Name] {
			v.Add(field+".name", "is the name of another option")
		}
		names[o.Name] = true
		if len(o.Values) < 1 || len(o.Values) > MaxOptionValues {
			v.Add(field+".values", "must list 1-20 values")
			continue
		}
		values := map[string]bool{}
		for j, val := range o.Values {
			if !validOptionText(val) {
				v.Add(field+".values."+strconv.Itoa(j), maxOptionsMessage)
			} else if values[val] {
				v.Add(field+".values."+strconv.Itoa(j), "is listed twice")
			}
			values[val] = true
		}
	}
}

func validOptionText(s string) bool {
	n := utf8.RuneCountInString(s)
	return utf8.ValidString(s) && strings.TrimSpace(s) == s && n >= 1 && n <= MaxOptionLength
}

// variantCheck validates the variants of one product against its options
// and against each other.
type variantCheck struct {
	v         *apperr.ValidationError
	options   []Option
	currency  string
	parentSKU string
	skus      map[string]bool
	combos    map[string]bool
}

func newVariantCheck(v *apperr.ValidationError, options []Option, currency, parentSKU string, siblings []Product) *variantCheck {
	c := &variantCheck{v: v, options: options, currency: currency, parentSKU: parentSKU, skus: map[string]bool{}, combos: map[string]bool{}}
	for _, s := range siblings {
		c.skus[s.SKU] = true
		c.combos[comboKey(options, s.VariantOptions)] = true
	}
	return c
}

// check validates one variant; prefix is its field path ("variants.3.").
func (c *variantCheck) check(prefix string, d VariantDraft) {
	if !skuPattern.MatchString(d.SKU) {
		c.v.Add(prefix+"sku", "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
	} else if d.SKU == c.parentSKU || c.skus[d.SKU] {
		c.v.Add(prefix+"sku", "is the sku of the product or of another of its variants")
	}
	c.skus[d.SKU] = true
	comboOK := true
	names := make([]string, 0, len(d.Options))
	for name := range d.Options {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if optionIndex(c.options, name) < 0 {
			c.v.Add(prefix+"options."+name, "is not an option of the product")
			comboOK = false
		}
	}
	for _, o := range c.options {
		val, ok := d.Options[o.Name]
		switch {
		case !ok:
			c.v.Add(prefix+"options."+o.Name, "is required")
			comboOK = false
		case !slices.Contains(o.Values, val):
			c.v.Add(prefix+"options."+o.Name, "must be one of the option's values")
			comboOK = false
		}
	}
	if comboOK {
		key := comboKey(c.options, d.Options)
		if c.combos[key] {
			c.v.Add(prefix+"options", "another variant has the same options")
		}
		c.combos[key] = true
	}
	if d.Price != nil {
		checkPriceAt(c.v, prefix+"price", *d.Price, c.currency)
	}
	if d.Stock < 0 || d.Stock > MaxInitialStock {
		c.v.Add(prefix+"stock", "must be between 0 and 1000000")
	}
	if d.WeightGrams != nil && (*d.WeightGrams < 0 || *d.WeightGrams > MaxWeightGrams) {
		c.v.Add(prefix+"weight_grams", "must be an integer number of grams between 0 and 1000000")
	}
}

// checkVariants validates the options and variants of a draft: both or
// neither, and every variant valid and distinct.
func (d Draft) checkVariants(v *apperr.ValidationError, currency string) {
	if len(d.Options) == 0 && len(d.Variants) == 0 {
		return
	}
	before := len(v.Fields)
	checkOptions(v, d.Options)
	if len(v.Fields) > before {
		return // the variants cannot be judged against invalid options
	}
	switch {
	case len(d.Options) == 0:
		v.Add("options", "a product with variants needs options")
		return
	case len(d.Variants) == 0:
		v.Add("variants", "a product with options needs 1-100 variants")
		return
	case len(d.Variants) > MaxVariants:
		v.Add("variants", "at most 100 variants")
		return
	}
	if d.Stock != 0 {
		v.Add("stock", "a product with variants has no stock of its own: give each variant its stock")
	}
	c := newVariantCheck(v, d.Options, currency, d.SKU, nil)
	for i, vd := range d.Variants {
		c.check("variants."+strconv.Itoa(i)+".", vd)
	}
}

// ValidateVariant checks a variant to add to parent, whose variants are
// siblings. Problems are an *apperr.ValidationError.
func ValidateVariant(parent Product, siblings []Product, d VariantDraft, currency string) error {
	v := &apperr.ValidationError{}
	if !parent.HasVariants() {
		v.Add("options", "the product has no options; create it with options and variants")
		return v.Err()
	}
	if len(parent.VariantIDs) >= MaxVariants {
		v.Add("variants", "at most 100 variants")
		return v.Err()
	}
	newVariantCheck(v, parent.Options, currency, parent.SKU, siblings).check("", d)
	return v.Err()
}

// Validate checks the fields p sets; a patch that sets nothing is invalid.
func (p VariantPatch) Validate(currency string) error {
	v := &apperr.ValidationError{}
	if p.SKU == nil && p.Price == nil && p.WeightGrams == nil {
		v.Add("body", "must set at least one of sku, price, weight_grams")
	}
	if p.SKU != nil {
		checkSKU(v, *p.SKU)
	}
	if p.Price != nil {
		checkPrice(v, *p.Price, currency)
	}
	if p.WeightGrams != nil {
		checkWeight(v, *p.WeightGrams)
	}
	return v.Err()
}

// Apply returns variant with the patch's fields set, at now.
func (p VariantPatch) Apply(variant Product, now time.Time) Product {
	if p.SKU != nil {
		variant.SKU = *p.SKU
	}
	if p.Price != nil {
		variant.Price = *p.Price
	}
	if p.WeightGrams != nil {
		variant.WeightGrams = *p.WeightGrams
	}
	variant.UpdatedAt = now
	return variant
}

// NewVariant builds parent's n-th variant from a validated draft: the
// parent's details, its own SKU, stock and option values, the parent's
// price and weight unless the draft overrides them.
func NewVariant(parent Product, n int, d VariantDraft, now time.Time) Product {
	v := Product{
		ID: VariantID(parent.ID, n), MerchantID: parent.MerchantID, SKU: d.SKU,
		Name: parent.Name, Description: parent.Description, Category: parent.Category,
		Price: parent.Price, Images: nonNil(parent.Images), WeightGrams: parent.WeightGrams,
		Stock: Stock{Available: d.Stock}, Initial: d.Stock,
		VariantOf: parent.ID, VariantOptions: copyOptions(d.Options),
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if d.Price != nil {
		v.Price = *d.Price
	}
	if d.WeightGrams != nil {
		v.WeightGrams = *d.WeightGrams
	}
	return v
}

// NewVariants builds the variants of a new parent from its draft.
func NewVariants(parent Product, d Draft, now time.Time) []Product {
	out := make([]Product, len(d.Variants))
	for i, vd := range d.Variants {
		out[i] = NewVariant(parent, i+1, vd, now)
	}
	return out
}

// NextVariantNumber is the n of the next variant of parent: one more than
// the largest among its variant ids.
func NextVariantNumber(parent Product) int {
	next := len(parent.VariantIDs) + 1
	for _, id := range parent.VariantIDs {
		if n, err := strconv.Atoi(strings.TrimPrefix(id, parent.ID+"-v")); err == nil && n >= next {
			next = n + 1
		}
	}
	return next
}

// ShowVariant is variant as shoppers see it: the parent's name,
// description, category, images and rating with its own SKU, price, weight
// and stock; archived when either is.
func ShowVariant(variant, parent Product) Product {
	variant.MerchantID = parent.MerchantID
	variant.Name, variant.Description, variant.Category = parent.Name, parent.Description, parent.Category
	variant.Images, variant.Rating = parent.Images, parent.Rating
	variant.Archived = variant.Archived || parent.Archived
	return variant
}

// ShowParent is parent as shoppers see it, with the variants it lists
// that exist (shown with ShowVariant, archived ones left out): price the
// lowest variant price, stock the sum of theirs.
func ShowParent(parent Product, variants []Product) Product {
	parent.Variants = make([]Product, 0, len(variants))
	parent.Stock = Stock{}
	for _, v := range variants {
		v = ShowVariant(v, parent)
		if v.Archived {
			continue
		}
		if len(parent.Variants) == 0 || v.Price.Amount < parent.Price.Amount {
			parent.Price = v.Price
		}
		parent.Stock.Available += v.Stock.Available
		parent.Stock.Held += v.Stock.Held
		parent.Stock.Sold += v.Stock.Sold
		parent.Variants = append(parent.Variants, v)
	}
	return parent
}

// PriceRange is the lowest and highest price among p's shown variants,
// ok=false when it has none.
func (p Product) PriceRange() (low, high Money, ok bool) {
	for i, v := range p.Variants {
		if i == 0 || v.Price.Amount < low.Amount {
			low = v.Price
		}
		if i == 0 || v.Price.Amount > high.Amount {
			high = v.Price
		}
	}
	return low, high, len(p.Variants) > 0
}

func optionIndex(options []Option, name string) int {
	for i, o := range options {
		if o.Name == name {
			return i
		}
	}
	return -1
}

// comboKey identifies a combination of option values in option order.
func comboKey(options []Option, values map[string]string) string {
	parts := make([]string, len(options))
	for i, o := range options {
		parts[i] = values[o.Name]
	}
	return strings.Join(parts, "\x00")
}

func copyOptions(m map[string]string) map[string]string {
	return maps.Clone(m)
}

// CopyOptions returns a deep copy of options.
func CopyOptions(options []Option) []Option {
	if len(options) == 0 {
		return nil
	}
	out := make([]Option, len(options))
	for i, o := range options {
		out[i] = Option{Name: o.Name, Values: append([]string(nil), o.Values...)}
	}
	return out
}
