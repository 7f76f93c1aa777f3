package api_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/api"
	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
)

// TestTheVariantJSONIsTheContract renders a product with variants through
// the read model with the catalog's own renderer, as GET
// /api/v1/products/{id} serves it, and compares the parent with
// contracts/catalog-product-variants.json and a variant with
// contracts/catalog-variant.json (what orders' catalog client reads when a
// variant is put in a cart). Rewrite them with MERCATO_UPDATE_CONTRACTS=1.
func TestTheVariantJSONIsTheContract(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	parent, variants := domain.NewProductWithVariants("p-contract-tee", "m-contract", domain.Draft{
		SKU: "TEE", Name: "Cotton T-shirt", Description: "A soft T-shirt.", Category: "clothes",
		Price: domain.Money{Amount: 1500, Currency: "USD"}, Images: []string{"https://img.example/tee.jpg"}, WeightGrams: 180,
		Options: []domain.Option{{Name: "size", Values: []string{"S", "M", "L"}}, {Name: "colour", Values: []string{"white", "black"}}},
		Variants: []domain.VariantDraft{
			{SKU: "TEE-S-WHITE", Options: map[string]string{"size": "S", "colour": "white"}, Stock: 4},
			{SKU: "TEE-M-BLACK", Options: map[string]string{"size": "M", "colour": "black"}, Stock: 2,
				Price: &domain.Money{Amount: 1800, Currency: "USD"}, WeightGrams: ptr(int64(200))},
		},
	}, at)
	parent.Rating = domain.Rating{Sum: 9, Count: 2}
	model := readmodel.New(api.RenderPublic)
	model.Load(append([]domain.Product{parent}, variants...))
	for file, id := range map[string]string{"catalog-product-variants.json": parent.ID, "catalog-variant.json": variants[1].ID} {
		raw, ok := model.PublicJSON(id)
		if !ok {
			t.Fatalf("%s is not visible", id)
		}
		var got bytes.Buffer
		if err := json.Indent(&got, raw, "", "  "); err != nil {
			t.Fatal(err)
		}
		got.WriteByte('\n')
		path := filepath.Join(filepath.Dir(contractPath(t)), file)
		if os.Getenv("MERCATO_UPDATE_CONTRACTS") != "" {
			if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("the public JSON of %s is not the contract in %s (rewrite it with MERCATO_UPDATE_CONTRACTS=1, then make its readers pass):\ngot\n%s\nwant\n%s", id, path, got.Bytes(), want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
