package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/users/internal/domain"
)

func validAddress() domain.AddressInput {
	return domain.AddressInput{Name: "Ada Lovelace", Line1: "1 Analytical Way", City: "London", PostalCode: "NW1 2AB", Country: "gb"}
}

func TestValidateAddressNormalises(t *testing.T) {
	in := validAddress()
	in.Name, in.Country = "  Ada Lovelace ", " gb "
	a, err := domain.ValidateAddress(in)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Ada Lovelace" || a.Country != "GB" || a.ID != "" || a.Default {
		t.Fatalf("validated %+v", a)
	}
}

func TestValidateAddressRefuses(t *testing.T) {
	cases := []struct {
		name, field string
		edit        func(*domain.AddressInput)
	}{
		{"no name", "name", func(in *domain.AddressInput) { in.Name = "  " }},
		{"no line1", "line1", func(in *domain.AddressInput) { in.Line1 = "" }},
		{"no city", "city", func(in *domain.AddressInput) { in.City = "" }},
		{"no postal code", "postal_code", func(in *domain.AddressInput) { in.PostalCode = "" }},
		{"no country", "country", func(in *domain.AddressInput) { in.Country = "" }},
		{"three-letter country", "country", func(in *domain.AddressInput) { in.Country = "GBR" }},
		{"digits as country", "country", func(in *domain.AddressInput) { in.Country = "12" }},
		{"long line2", "line2", func(in *domain.AddressInput) { in.Line2 = strings.Repeat("x", domain.MaxAddressFieldLength+1) }},
		{"control character", "region", func(in *domain.AddressInput) { in.Region = "a\u0000b" }},
		{"invalid UTF-8", "city", func(in *domain.AddressInput) { in.City = "\xff" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := validAddress()
			tc.edit(&in)
			_, err := domain.ValidateAddress(in)
			var verr *apperr.ValidationError
			if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Field != tc.field {
				t.Fatalf("ValidateAddress = %v, want one error on %s", err, tc.field)
			}
		})
	}
	in := validAddress()
	in.Line2 = strings.Repeat("é", domain.MaxAddressFieldLength) // characters, not bytes
	if _, err := domain.ValidateAddress(in); err != nil {
		t.Fatalf("%d two-byte characters: %v", domain.MaxAddressFieldLength, err)
	}
}

// defaults lists the ids of the default addresses of b.
func defaults(b domain.AddressBook) []string {
	var ids []string
	for _, a := range b {
		if a.Default {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func TestAddressBookRules(t *testing.T) {
	a, _ := domain.ValidateAddress(validAddress())
	var b domain.AddressBook
	for i := range 3 {
		next, saved, err := b.Add(fmt.Sprint("a", i), a)
		if err != nil || saved.ID != fmt.Sprint("a", i) || saved.Default != (i == 0) {
			t.Fatalf("add %d: %v %+v", i, err, saved)
		}
		b = next
	}
	if got := defaults(b); len(got) != 1 || got[0] != "a0" {
		t.Fatalf("defaults after adds %v, want [a0]", got)
	}

	next, _, err := b.MakeDefault("a2")
	if err != nil || len(defaults(next)) != 1 || defaults(next)[0] != "a2" || !b[0].Default {
		t.Fatalf("make default: %v %v (receiver must not change: %v)", err, defaults(next), defaults(b))
	}
	b = next

	changed := a
	changed.City = "Paris"
	next, saved, err := b.Replace("a2", changed)
	if err != nil || !saved.Default || saved.City != "Paris" || next[2].City != "Paris" || b[2].City != "London" {
		t.Fatalf("replace: %v %+v", err, saved)
	}
	b = next

	// Removing the default promotes the oldest remaining address.
	if b, err = b.Remove("a2"); err != nil || len(b) != 2 || len(defaults(b)) != 1 || defaults(b)[0] != "a0" {
		t.Fatalf("remove default: %v %+v", err, b)
	}
	// Removing another keeps the default.
	if b, err = b.Remove("a1"); err != nil || len(b) != 1 || defaults(b)[0] != "a0" {
		t.Fatalf("remove other: %v %+v", err, b)
	}
	if b, err = b.Remove("a0"); err != nil || len(b) != 0 {
		t.Fatalf("remove last: %v %+v", err, b)
	}
	if _, ok := b.Default(); ok {
		t.Fatal("an empty book has a default")
	}

	for name, err := range map[string]error{
		"replace": func() error { _, _, err := b.Replace("nope", a); return err }(),
		"remove":  func() error { _, err := b.Remove("nope"); return err }(),
		"default": func() error { _, _, err := b.MakeDefault("nope"); return err }(),
	} {
		if !errors.Is(err, domain.ErrAddressNotFound) || !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("%s of an unknown id: %v", name, err)
		}
	}
}

func TestAddressBookLimit(t *testing.T) {
	a, _ := domain.ValidateAddress(validAddress())
	var b domain.AddressBook
	for i := range domain.MaxAddresses {
		next, _, err := b.Add(fmt.Sprint(i), a)
		if err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
		b = next
	}
	if _, _, err := b.Add("one-too-many", a); !errors.Is(err, domain.ErrAddressBookFull) || !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("add beyond the limit: %v", err)
	}
}
