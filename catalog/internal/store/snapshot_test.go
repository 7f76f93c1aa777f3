package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/store"
)

// TestSnapshotSaveReplacesTheLastOne saves two snapshots and reads back
// the second, offsets and chunks intact, with nothing of the first left
// to read.
func TestSnapshotSaveReplacesTheLastOne(t *testing.T) {
	st, ctx := newStore(t)
	if _, err := st.LoadSnapshot(ctx); !errors.Is(err, store.ErrNoSnapshot) {
		t.Fatalf("empty store: %v, want ErrNoSnapshot", err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	first := store.Snapshot{Generation: "g1", Offsets: map[int]int64{0: 4, 1: 0, 2: 9}, Products: 3, TakenAt: now, Chunks: [][]byte{[]byte("a"), []byte("b"), []byte("c")}}
	if err := st.SaveSnapshot(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := store.Snapshot{Generation: "g2", Offsets: map[int]int64{0: 5, 1: 2, 2: 9}, Products: 2, TakenAt: now.Add(time.Second), Chunks: [][]byte{{0, 1, 2, 255}, []byte("e")}}
	if err := st.SaveSnapshot(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, err := st.LoadSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Generation != "g2" || got.Products != 2 || !got.TakenAt.Equal(second.TakenAt) || len(got.Chunks) != 2 ||
		string(got.Chunks[0]) != string(second.Chunks[0]) || string(got.Chunks[1]) != "e" {
		t.Fatalf("loaded %+v, want %+v", got, second)
	}
	for p, off := range second.Offsets {
		if got.Offsets[p] != off {
			t.Fatalf("offsets %v, want %v", got.Offsets, second.Offsets)
		}
	}
	if n, err := st.SnapshotDocuments(ctx); err != nil || n != 1+2 {
		t.Fatalf("%d snapshot documents (%v), want the head and the 2 chunks of g2", n, err)
	}
}
