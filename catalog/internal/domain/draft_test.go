package domain

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

func validDraft() Draft {
	return Draft{SKU: "MUG-01", Name: "Blue mug", Description: "A mug", Category: "Kitchen", Price: Money{1299, "USD"}, Stock: 5, Images: []string{"https://img.example/mug.png"}}
}

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var v *apperr.ValidationError
	if err == nil {
		return nil
	}
	if !errors.As(err, &v) {
		t.Fatalf("error %v is not a validation error", err)
	}
	var out []string
	for _, f := range v.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestDraftValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Draft)
		fields string
	}{
		{"valid", func(*Draft) {}, ""},
		{"empty sku", func(d *Draft) { d.SKU = "" }, "sku"},
		{"sku with space", func(d *Draft) { d.SKU = "A B" }, "sku"},
		{"sku operator", func(d *Draft) { d.SKU = "$gt" }, "sku"},
		{"sku 65 chars", func(d *Draft) { d.SKU = strings.Repeat("a", 65) }, "sku"},
		{"sku 64 chars", func(d *Draft) { d.SKU = strings.Repeat("a", 64) }, ""},
		{"blank name", func(d *Draft) { d.Name = "   " }, "name"},
		{"name 201 runes", func(d *Draft) { d.Name = strings.Repeat("é", 201) }, "name"},
		{"description 5001", func(d *Draft) { d.Description = strings.Repeat("x", 5001) }, "description"},
		{"empty category", func(d *Draft) { d.Category = " " }, "category"},
		{"zero price", func(d *Draft) { d.Price.Amount = 0 }, "price.amount"},
		{"negative price", func(d *Draft) { d.Price.Amount = -1 }, "price.amount"},
		{"other currency", func(d *Draft) { d.Price.Currency = "EUR" }, "price.currency"},
		{"negative stock", func(d *Draft) { d.Stock = -1 }, "stock"},
		{"too much stock", func(d *Draft) { d.Stock = 1_000_001 }, "stock"},
		{"ftp image", func(d *Draft) { d.Images = []string{"ftp://x/y.png"} }, "images.0"},
		{"javascript image", func(d *Draft) { d.Images = []string{"https://ok/a.png", "javascript:alert(1)"} }, "images.1"},
		{"11 images", func(d *Draft) { d.Images = make([]string, 11) }, "images"},
		{"negative weight", func(d *Draft) { d.WeightGrams = -1 }, "weight_grams"},
		{"weight over a tonne", func(d *Draft) { d.WeightGrams = 1_000_001 }, "weight_grams"},
		{"weight of a tonne", func(d *Draft) { d.WeightGrams = 1_000_000 }, ""},
		{"several problems", func(d *Draft) { d.SKU = ""; d.Price.Amount = 0 }, "sku,price.amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDraft()
			tt.edit(&d)
			if got := strings.Join(fieldsOf(t, d.Validate("USD")), ","); got != tt.fields {
				t.Fatalf("invalid fields = %q, want %q", got, tt.fields)
			}
		})
	}
}

func TestNewProductNormalises(t *testing.T) {
	now := time.Now()
	d := validDraft()
	d.Name, d.Category, d.Images = "  Blue mug ", " Kitchen ", nil
	p := NewProduct("p1", "m1", d, now)
	if p.Name != "Blue mug" || p.Category != "kitchen" || p.Images == nil || p.Version != 1 {
		t.Fatalf("product %+v", p)
	}
	if p.Stock.Available != 5 || p.Initial != 5 || !p.InvariantHolds() {
		t.Fatalf("stock %+v initial %d", p.Stock, p.Initial)
	}
}

func TestPatch(t *testing.T) {
	empty := Patch{}
	if got := fieldsOf(t, empty.Validate("USD")); len(got) != 1 || got[0] != "body" {
		t.Fatalf("empty patch fields %v", got)
	}
	bad := "x y"
	if got := fieldsOf(t, Patch{SKU: &bad}.Validate("USD")); len(got) != 1 || got[0] != "sku" {
		t.Fatalf("bad sku fields %v", got)
	}
	name, cat := "New name", "Garden"
	price := Money{500, "USD"}
	pt := Patch{Name: &name, Category: &cat, Price: &price}
	if err := pt.Validate("USD"); err != nil {
		t.Fatal(err)
	}
	before := NewProduct("p1", "m1", validDraft(), time.Unix(0, 0))
	after := pt.Apply(before, time.Unix(10, 0))
	if after.Name != "New name" || after.Category != "garden" || after.Price.Amount != 500 || after.SKU != before.SKU || after.Description != before.Description {
		t.Fatalf("patched %+v", after)
	}
	if !after.UpdatedAt.Equal(time.Unix(10, 0)) || !after.CreatedAt.Equal(before.CreatedAt) {
		t.Fatalf("timestamps %v %v", after.CreatedAt, after.UpdatedAt)
	}
}

func TestValidateStockDelta(t *testing.T) {
	for delta, ok := range map[int64]bool{0: false, 1: true, -1: true, 1_000_000: true, 1_000_001: false, -1_000_001: false} {
		if got := ValidateStockDelta(delta) == nil; got != ok {
			t.Errorf("delta %d valid = %v, want %v", delta, got, ok)
		}
	}
}
