package domain

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func variantDraft() Draft {
	d := validDraft()
	d.Stock = 0
	d.Options = []Option{{Name: "size", Values: []string{"S", "M", "L"}}, {Name: "colour", Values: []string{"red", "blue"}}}
	d.Variants = []VariantDraft{
		{SKU: "MUG-S-RED", Options: map[string]string{"size": "S", "colour": "red"}, Stock: 3},
		{SKU: "MUG-M-BLUE", Options: map[string]string{"size": "M", "colour": "blue"}, Price: &Money{1499, "USD"}, Stock: 2},
	}
	return d
}

func TestDraftValidateVariants(t *testing.T) {
	many := func(d *Draft, n int) {
		d.Options = []Option{{Name: "a", Values: nil}, {Name: "b", Values: nil}}
		for i := range 11 {
			d.Options[0].Values = append(d.Options[0].Values, fmt.Sprint("a", i))
			d.Options[1].Values = append(d.Options[1].Values, fmt.Sprint("b", i))
		}
		d.Variants = nil
		for i := range n {
			d.Variants = append(d.Variants, VariantDraft{SKU: fmt.Sprint("V-", i), Options: map[string]string{"a": fmt.Sprint("a", i/11), "b": fmt.Sprint("b", i%11)}})
		}
	}
	tests := []struct {
		name   string
		edit   func(*Draft)
		fields string
	}{
		{"valid", func(*Draft) {}, ""},
		{"100 variants", func(d *Draft) { many(d, 100) }, ""},
		{"101 variants", func(d *Draft) { many(d, 101) }, "variants"},
		{"options without variants", func(d *Draft) { d.Variants = nil }, "variants"},
		{"variants without options", func(d *Draft) { d.Options = nil }, "options"},
		{"4 options", func(d *Draft) {
			d.Options = append(d.Options, Option{Name: "x", Values: []string{"1"}}, Option{Name: "y", Values: []string{"1"}})
		}, "options"},
		{"duplicate option name", func(d *Draft) { d.Options[1].Name = "size" }, "options.1.name"},
		{"empty option name", func(d *Draft) { d.Options[0].Name = "" }, "options.0.name"},
		{"option name 31 chars", func(d *Draft) { d.Options[0].Name = strings.Repeat("n", 31) }, "options.0.name"},
		{"no values", func(d *Draft) { d.Options[0].Values = nil }, "options.0.values"},
		{"21 values", func(d *Draft) { d.Options[0].Values = strings.Split(strings.Repeat("v,", 20)+"v", ",") }, "options.0.values"},
		{"duplicate value", func(d *Draft) { d.Options[0].Values = []string{"S", "M", "L", "M"} }, "options.0.values.3"},
		{"blank value", func(d *Draft) { d.Options[0].Values[2] = " " }, "options.0.values.2"},
		{"unknown option value", func(d *Draft) { d.Variants[0].Options["size"] = "XL" }, "variants.0.options.size"},
		{"unknown option name", func(d *Draft) { d.Variants[1].Options["fabric"] = "silk" }, "variants.1.options.fabric"},
		{"missing option", func(d *Draft) { delete(d.Variants[0].Options, "colour") }, "variants.0.options.colour"},
		{"duplicate combination", func(d *Draft) { d.Variants[1].Options = map[string]string{"size": "S", "colour": "red"} }, "variants.1.options"},
		{"duplicate variant sku", func(d *Draft) { d.Variants[1].SKU = "MUG-S-RED" }, "variants.1.sku"},
		{"variant sku of the product", func(d *Draft) { d.Variants[0].SKU = d.SKU }, "variants.0.sku"},
		{"bad variant sku", func(d *Draft) { d.Variants[0].SKU = "$gt" }, "variants.0.sku"},
		{"zero price override", func(d *Draft) { d.Variants[0].Price = &Money{0, "USD"} }, "variants.0.price.amount"},
		{"negative price override", func(d *Draft) { d.Variants[0].Price = &Money{-100, "USD"} }, "variants.0.price.amount"},
		{"other currency", func(d *Draft) { d.Variants[1].Price = &Money{100, "EUR"} }, "variants.1.price.currency"},
		{"negative variant stock", func(d *Draft) { d.Variants[0].Stock = -1 }, "variants.0.stock"},
		{"negative variant weight", func(d *Draft) { w := int64(-5); d.Variants[0].WeightGrams = &w }, "variants.0.weight_grams"},
		{"stock on the parent", func(d *Draft) { d.Stock = 4 }, "stock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := variantDraft()
			tt.edit(&d)
			if got := strings.Join(fieldsOf(t, d.Validate("USD")), ","); got != tt.fields {
				t.Fatalf("invalid fields = %q, want %q", got, tt.fields)
			}
		})
	}
}

func TestNewProductWithVariants(t *testing.T) {
	now := time.Unix(100, 0)
	w := int64(250)
	d := variantDraft()
	d.WeightGrams = 400
	d.Variants[1].WeightGrams = &w
	p, vs := NewProductWithVariants("p1", "m1", d, now)
	if !p.HasVariants() || p.Stock.Available != 0 || p.Initial != 0 || strings.Join(p.VariantIDs, ",") != "p1-v1,p1-v2" {
		t.Fatalf("parent %+v", p)
	}
	if len(vs) != 2 || vs[0].ID != "p1-v1" || vs[0].VariantOf != "p1" || !vs[0].IsVariant() {
		t.Fatalf("variants %+v", vs)
	}
	if vs[0].Price.Amount != 1299 || vs[1].Price.Amount != 1499 || vs[0].WeightGrams != 400 || vs[1].WeightGrams != 250 {
		t.Fatalf("effective price/weight %+v %+v", vs[0], vs[1])
	}
	if vs[0].Stock.Available != 3 || vs[0].Initial != 3 || !vs[0].InvariantHolds() || vs[1].VariantOptions["size"] != "M" {
		t.Fatalf("variant stock/options %+v", vs[0])
	}
	if !ValidOrderID(vs[1].ID) {
		t.Fatalf("variant id %q does not pass the id checks", vs[1].ID)
	}
	shown := ShowParent(p, vs)
	low, high, ok := shown.PriceRange()
	if !ok || low.Amount != 1299 || high.Amount != 1499 || shown.Price.Amount != 1299 || shown.Stock.Available != 5 {
		t.Fatalf("shown parent price %v range %v-%v stock %+v", shown.Price, low, high, shown.Stock)
	}
	vs[0].Archived = true
	if shown := ShowParent(p, vs); shown.Stock.Available != 2 || shown.Price.Amount != 1499 || len(shown.Variants) != 1 {
		t.Fatalf("an archived variant still counts: %+v", shown)
	}
	p.Name = "Renamed"
	if v := ShowVariant(vs[1], p); v.Name != "Renamed" || v.SKU != "MUG-M-BLUE" || v.Price.Amount != 1499 {
		t.Fatalf("shown variant %+v", v)
	}
}

func TestValidateVariantAgainstSiblings(t *testing.T) {
	p, vs := NewProductWithVariants("p1", "m1", variantDraft(), time.Unix(0, 0))
	ok := VariantDraft{SKU: "MUG-L-RED", Options: map[string]string{"size": "L", "colour": "red"}, Stock: 1}
	if err := ValidateVariant(p, vs, ok, "USD"); err != nil {
		t.Fatal(err)
	}
	if NextVariantNumber(p) != 3 {
		t.Fatalf("next variant number %d", NextVariantNumber(p))
	}
	taken := VariantDraft{SKU: "MUG-L-RED", Options: map[string]string{"size": "M", "colour": "blue"}}
	if got := strings.Join(fieldsOf(t, ValidateVariant(p, vs, taken, "USD")), ","); got != "options" {
		t.Fatalf("same combination as a sibling: %q", got)
	}
	sku := VariantDraft{SKU: "MUG-S-RED", Options: map[string]string{"size": "L", "colour": "blue"}}
	if got := strings.Join(fieldsOf(t, ValidateVariant(p, vs, sku, "USD")), ","); got != "sku" {
		t.Fatalf("sku of a sibling: %q", got)
	}
	simple := NewProduct("p2", "m1", validDraft(), time.Unix(0, 0))
	if got := strings.Join(fieldsOf(t, ValidateVariant(simple, nil, ok, "USD")), ","); got != "options" {
		t.Fatalf("variant of a product without options: %q", got)
	}
	if got := strings.Join(fieldsOf(t, VariantPatch{}.Validate("USD")), ","); got != "body" {
		t.Fatalf("empty variant patch: %q", got)
	}
	if got := strings.Join(fieldsOf(t, VariantPatch{Price: &Money{-1, "USD"}}.Validate("USD")), ","); got != "price.amount" {
		t.Fatalf("negative variant price: %q", got)
	}
}
