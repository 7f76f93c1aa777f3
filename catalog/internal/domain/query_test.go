package domain

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	cursor := Cursor{Sort: SortPriceAsc, Key: 100, ID: "p1"}.Encode()
	tests := []struct {
		query  string
		fields string // invalid fields, comma separated
		check  func(Query) bool
	}{
		{"", "", func(q Query) bool { return q.Limit == 20 && q.Sort == SortNewest && q.Text == "" }},
		{"q=Blue+MUG", "", func(q Query) bool { return q.Sort == SortRelevance && slices.Equal(q.Words, []string{"blue", "mug"}) }},
		{"q=mug&sort=price_desc&limit=100", "", func(q Query) bool { return q.Sort == SortPriceDesc && q.Limit == 100 }},
		{"category=Kitchen&merchant_id=m1&in_stock=true", "", func(q Query) bool { return q.Category == "kitchen" && q.MerchantID == "m1" && q.InStock }},
		{"min_price=0&max_price=500", "", func(q Query) bool { return *q.MinPrice == 0 && *q.MaxPrice == 500 }},
		{"sort=price_asc&cursor=" + cursor, "", func(q Query) bool { return q.After != nil && q.After.ID == "p1" && q.After.Key == 100 }},
		{"limit=0", "limit", nil},
		{"limit=101", "limit", nil},
		{"limit=ten", "limit", nil},
		{"min_price=-1", "min_price", nil},
		{"max_price=1.5", "max_price", nil},
		{"min_price=10&max_price=5", "max_price", nil},
		{"sort=cheapest", "sort", nil},
		{"sort=relevance", "sort", nil},
		{"in_stock=maybe", "in_stock", nil},
		{"cursor=not-a-cursor", "cursor", nil},
		{"sort=newest&cursor=" + cursor, "cursor", nil},
		{"q=" + strings.Repeat("a", 201), "q", nil},
		{"q=a+b+c+d+e+f+g+h+i+j+k", "q", nil},
		// Operators are plain text: words, or nothing at all.
		{"q=" + url.QueryEscape(`{"$gt": ""}`), "", func(q Query) bool { return slices.Equal(q.Words, []string{"gt"}) }},
		{"q=%24where", "", func(q Query) bool { return slices.Equal(q.Words, []string{"where"}) }},
		{"category=%24ne&merchant_id=%7B%22%24gt%22%3A%22%22%7D", "", func(q Query) bool { return q.Category == "$ne" && q.MerchantID == `{"$gt":""}` }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			values, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := ParseQuery(values)
			if got := strings.Join(fieldsOf(t, err), ","); got != tt.fields {
				t.Fatalf("invalid fields = %q, want %q", got, tt.fields)
			}
			if tt.check != nil && !tt.check(q) {
				t.Fatalf("query %+v", q)
			}
		})
	}
}

func TestCursorRoundTripAndTampering(t *testing.T) {
	c := Cursor{Sort: SortNewest, Key: 1700000000000, ID: "0193-x"}
	got, err := DecodeCursor(c.Encode())
	if err != nil || got != c {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	for _, raw := range []string{"", "%%%", "e30", Cursor{Sort: "bogus", ID: "x"}.Encode(), Cursor{Sort: SortNewest}.Encode(), strings.Repeat("A", 600)} {
		if _, err := DecodeCursor(raw); err == nil {
			t.Errorf("DecodeCursor(%q) accepted", raw)
		}
	}
}

func TestParseIDs(t *testing.T) {
	ids, err := ParseIDs("a, b,,a")
	if err != nil || !slices.Equal(ids, []string{"a", "b"}) {
		t.Fatalf("ids %v %v", ids, err)
	}
	if _, err := ParseIDs(""); err == nil {
		t.Fatal("empty ids accepted")
	}
	if _, err := ParseIDs(strings.Repeat("x,", 100) + "y" + strings.Repeat(",z", 1)); err != nil {
		t.Fatalf("3 distinct ids refused: %v", err)
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = "p" + strings.Repeat("x", i)
	}
	if _, err := ParseIDs(strings.Join(many, ",")); err == nil {
		t.Fatal("101 ids accepted")
	}
}

func TestWords(t *testing.T) {
	if got := Words(`Über-Mug 2000, "$gt"`); !slices.Equal(got, []string{"über", "mug", "2000", "gt"}) {
		t.Fatalf("Words = %v", got)
	}
}
