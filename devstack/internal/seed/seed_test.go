package seed

import (
	"strings"
	"testing"
)

func TestDemoCatalogIsSixtyDistinctProducts(t *testing.T) {
	names := map[string]bool{}
	emails := map[string]bool{Shopper.Email: true}
	count := 0
	for _, m := range Merchants {
		if emails[m.Email] {
			t.Errorf("email %s used twice", m.Email)
		}
		emails[m.Email] = true
		for _, p := range m.Products {
			count++
			slug := Slug(p.Name)
			if names[slug] {
				t.Errorf("two products share the picture %s", slug)
			}
			names[slug] = true
			if p.Price <= 0 || p.Stock < 0 || p.Category == "" || p.Description == "" {
				t.Errorf("incomplete product %+v", p)
			}
		}
	}
	if count != 60 || len(Merchants) != 3 {
		t.Fatalf("%d products from %d merchants, want 60 from 3", count, len(Merchants))
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Desk Lamp": "desk-lamp", "  Tea & Coffee!! ": "tea-coffee", "Go 1.26": "go-1-26"} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBannerNamesEveryAccount(t *testing.T) {
	text := strings.Join(banner("http://127.0.0.1:8080/", 60, 60), "\n")
	for _, want := range []string{Shopper.Email, Password, "http://127.0.0.1:8080/merchant", "60 products (60 new)"} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	for _, m := range Merchants {
		if !strings.Contains(text, m.Email) {
			t.Errorf("banner lacks %s", m.Email)
		}
	}
}
