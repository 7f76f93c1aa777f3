package api

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/mercato-shop/mercato/users/internal/domain"
)

// TestTheDefaultAddressIsTheContract renders a saved address with the
// renderer of GET /internal/v1/users/{id}/addresses/default and compares
// it with contracts/users-address.json, which orders' users client reads in
// its tests: a change of the address JSON fails here until the file is
// rewritten (MERCATO_UPDATE_CONTRACTS=1), and then fails in
// orders/internal/usersclient until the client reads the new shape.
func TestTheDefaultAddressIsTheContract(t *testing.T) {
	a := domain.Address{ID: "a-contract", Default: true, Name: "Ada Lovelace", Line1: "12 Analytical Row",
		Line2: "Flat 3", City: "London", Region: "Greater London", PostalCode: "N1 9GU", Country: "GB"}
	got, err := json.MarshalIndent(addressResponse(a), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	path := filepath.Join(filepath.Dir(file), "..", "..", "..", "contracts", "users-address.json")
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
		t.Fatalf("the address JSON is not the contract in %s (rewrite it with MERCATO_UPDATE_CONTRACTS=1, then make its readers pass):\ngot\n%s\nwant\n%s", path, got, want)
	}
}
