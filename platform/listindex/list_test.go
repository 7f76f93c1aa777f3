package listindex_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/listindex"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// TestPagesWalkNewestFirstAcrossBuckets appends more than a bucket holds,
// with a retried entry, and pages through with every command a lookup by a
// lone _id.
func TestPagesWalkNewestFirstAcrossBuckets(t *testing.T) {
	ctx := context.Background()
	db := embeddedtest.Database(t, config.Mongo{})
	lists := listindex.New(db, "lists")
	base := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	const n = listindex.DefaultBucketSize + 30
	var want []string
	var pages [][]string
	embeddedtest.AssertHotPathIndexed(t, db, func() {
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("o%04d", i)
			if err := lists.Add(ctx, "s1", id, base.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
			want = append([]string{id}, want...)
		}
		// A retried write appends o0005 again: it shows once, as newest.
		if err := lists.Add(ctx, "s1", "o0005", base.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		after := ""
		for {
			items, err := lists.Page(ctx, "s1", after, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 {
				break
			}
			var ids []string
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			pages = append(pages, ids)
			after = items[len(items)-1].ID
		}
	})
	var got []string
	for _, p := range pages {
		got = append(got, p...)
	}
	wantOrder := []string{"o0005"}
	for _, id := range want {
		if id != "o0005" {
			wantOrder = append(wantOrder, id)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(wantOrder) {
		t.Fatalf("paged %d ids, want %d newest first; first page %v", len(got), len(wantOrder), pages[0][:5])
	}
	if items, err := lists.Page(ctx, "nobody", "", 10); err != nil || len(items) != 0 {
		t.Fatalf("an empty list: %v %v", items, err)
	}
}
