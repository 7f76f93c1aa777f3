package api_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/api"
	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// contractPath is the public product JSON that other services are tested
// against (orders' catalog client reads the same file in its tests).
func contractPath(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "contracts", "catalog-product.json")
}

// TestThePublicProductIsTheContract renders a product with the catalog's
// own renderer and compares it with contracts/catalog-product.json: a
// change of the public product JSON fails here until the contract file is
// rewritten (MERCATO_UPDATE_CONTRACTS=1), and then fails in orders'
// catalog client tests until the client reads the new shape.
func TestThePublicProductIsTheContract(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	p := domain.Product{ID: "p-contract", MerchantID: "m-contract", SKU: "LAMP-1", Name: "Desk Lamp",
		Description: "A lamp for the desk.", Category: "home", Price: domain.Money{Amount: 2599, Currency: "USD"},
		Images: []string{"https://img.example/lamp.jpg"}, WeightGrams: 1200,
		Stock: domain.Stock{Available: 7, Held: 2, Sold: 1}, Initial: 10, Rating: domain.Rating{Sum: 9, Count: 2},
		Version: 4, CreatedAt: at, UpdatedAt: at.Add(time.Hour)}
	got, err := json.MarshalIndent(api.NewPublicProduct(p), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := contractPath(t)
	if os.Getenv("MERCATO_UPDATE_CONTRACTS") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the public product JSON is not the contract in %s (rewrite it with MERCATO_UPDATE_CONTRACTS=1, then make its readers pass):\ngot\n%s\nwant\n%s", path, got, want)
	}
}
