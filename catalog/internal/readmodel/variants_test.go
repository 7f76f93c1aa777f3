package readmodel

import (
	"slices"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// family is a T-shirt in two sizes (S at 1500, M at 1800) and a mug.
func family(t *testing.T) (domain.Product, []domain.Product) {
	t.Helper()
	parent, variants := domain.NewProductWithVariants("tee", "m1", domain.Draft{
		SKU: "TEE", Name: "Cotton T-shirt", Category: "clothes", Price: domain.Money{Amount: 1500, Currency: "USD"},
		Options: []domain.Option{{Name: "size", Values: []string{"S", "M"}}},
		Variants: []domain.VariantDraft{
			{SKU: "TEE-SMALL", Options: map[string]string{"size": "S"}, Stock: 0},
			{SKU: "TEE-MEDIUM", Options: map[string]string{"size": "M"}, Stock: 2, Price: &domain.Money{Amount: 1800, Currency: "USD"}},
		},
	}, time.Unix(10, 0))
	return parent, variants
}

func TestVariantsAreGettableHiddenFromBrowseAndShownOnTheirParent(t *testing.T) {
	for _, load := range []bool{false, true} {
		m := New(renderID)
		parent, variants := family(t)
		mug := product("mug", "Mug", "kitchen", 1600, time.Unix(5, 0))
		all := append([]domain.Product{parent, mug}, variants...)
		if load {
			m.Load(all) // parents before their variants in the input
		} else {
			for _, p := range all {
				m.Apply(p)
			}
		}
		if got := ids(m.Search(mustQuery(t, "sort=price_asc"))); !slices.Equal(got, []string{"tee", "mug"}) {
			t.Fatalf("load=%v: browse %v, want the parent once (at its lowest price 1500) and the mug", load, got)
		}
		if got := ids(m.Search(mustQuery(t, "q=medium"))); !slices.Equal(got, []string{"tee"}) {
			t.Fatalf("load=%v: search by a variant's sku finds %v, want the parent", load, got)
		}
		if _, ok := m.PublicJSON("tee-v2"); !ok {
			t.Fatalf("load=%v: the variant is not gettable by id", load)
		}
		shown, _ := m.Shown("tee")
		if shown.Stock.Available != 2 || shown.Price.Amount != 1500 || len(shown.Variants) != 2 {
			t.Fatalf("load=%v: parent shown %+v", load, shown)
		}
		if cats := m.Categories(); len(cats) != 2 || cats[0].Name != "clothes" || cats[0].Count != 1 {
			t.Fatalf("load=%v: categories %v", load, cats)
		}
		if own, _ := m.Merchant("m1", 10, nil); len(own) != 2 {
			t.Fatalf("load=%v: merchant list has %d items, want the parent and the mug", load, len(own))
		}
	}
}

func TestAVariantChangeMovesItsParent(t *testing.T) {
	m := New(renderID)
	parent, variants := family(t)
	for _, p := range append([]domain.Product{parent}, variants...) {
		m.Apply(p)
	}
	if got := ids(m.Search(mustQuery(t, "in_stock=true"))); !slices.Equal(got, []string{"tee"}) {
		t.Fatalf("in stock: %v", got)
	}
	sold := variants[1]
	sold.Stock, sold.Version = domain.Stock{Held: 2}, 2
	m.Apply(sold)
	if got := ids(m.Search(mustQuery(t, "in_stock=true"))); len(got) != 0 {
		t.Fatalf("no variant available, still in stock: %v", got)
	}
	cheap := variants[0]
	cheap.Price, cheap.Version = domain.Money{Amount: 900, Currency: "USD"}, 2
	m.Apply(cheap)
	if got := ids(m.Search(mustQuery(t, "max_price=1000"))); !slices.Equal(got, []string{"tee"}) {
		t.Fatalf("the parent did not move to its variant's new price: %v", got)
	}
	renamed := parent
	renamed.Name, renamed.Version = "Linen shirt", 2
	m.Apply(renamed)
	if v, _ := m.Shown("tee-v1"); v.Name != "Linen shirt" || v.SKU != "TEE-SMALL" || v.Price.Amount != 900 {
		t.Fatalf("variant shown %+v after its parent's rename", v)
	}
	archived := renamed
	archived.Archived, archived.Version = true, 3
	m.Apply(archived)
	if _, ok := m.PublicJSON("tee-v1"); ok {
		t.Fatal("a variant of an archived product is visible")
	}
}

func TestAVariantWithoutItsParentIsInvisible(t *testing.T) {
	m := New(renderID)
	_, variants := family(t)
	m.Apply(variants[0])
	if _, ok := m.PublicJSON(variants[0].ID); ok {
		t.Fatal("an orphan variant is visible")
	}
	if got := ids(m.Search(mustQuery(t, "q=small"))); len(got) != 0 {
		t.Fatalf("an orphan variant is searchable: %v", got)
	}
}
