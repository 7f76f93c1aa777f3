package outbox

import (
	"testing"

	"go.mongodb.org/mongo-driver/bson"
)

func raws(t *testing.T, ids ...string) []bson.Raw {
	t.Helper()
	out := make([]bson.Raw, len(ids))
	for i, id := range ids {
		raw, err := Entry{ID: id, Topic: "t"}.MarshalBSON()
		if err != nil {
			t.Fatal(err)
		}
		out[i] = raw
	}
	return out
}

func idsOf(entries []bson.Raw) []string {
	out := make([]string, len(entries))
	for i, raw := range entries {
		out[i] = entryID(raw)
	}
	return out
}

// TestMergeKeepsTheWholeTruthOrLoads: of two snapshots of one outbox, the
// one holding every entry of the other wins; anything else loads.
func TestMergeKeepsTheWholeTruthOrLoads(t *testing.T) {
	cases := []struct {
		name         string
		first, later docRef
		known        bool
		wantIDs      string
	}{
		{"later superset", docRef{known: true, pending: raws(t, "a")}, docRef{known: true, pending: raws(t, "a", "b")}, true, "[a b]"},
		{"later subset (reported late)", docRef{known: true, pending: raws(t, "a", "b")}, docRef{known: true, pending: raws(t, "b")}, true, "[a b]"},
		{"front removed, back appended", docRef{known: true, pending: raws(t, "a", "b")}, docRef{known: true, pending: raws(t, "b", "c")}, false, "[]"},
		{"first unknown", docRef{}, docRef{known: true, pending: raws(t, "a")}, false, "[]"},
		{"later unknown", docRef{known: true, pending: raws(t, "a")}, docRef{}, false, "[]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ref := c.first
			ref.merge(c.later)
			if ref.known != c.known || fmtIDs(idsOf(ref.pending)) != c.wantIDs {
				t.Fatalf("merged known=%v %v, want known=%v %s", ref.known, idsOf(ref.pending), c.known, c.wantIDs)
			}
		})
	}
}

func fmtIDs(ids []string) string {
	s := "["
	for i, id := range ids {
		if i > 0 {
			s += " "
		}
		s += id
	}
	return s + "]"
}

// TestRemovedSetForgetsTheOldestBeyondCapacity keeps memory bounded.
func TestRemovedSetForgetsTheOldestBeyondCapacity(t *testing.T) {
	s := newRemovedSet()
	first := raws(t, "first")
	s.add(first)
	if len(s.without(first)) != 0 {
		t.Fatal("a removed entry must be filtered")
	}
	for i := range removedCapacity {
		s.add(raws(t, "x"+string(rune('a'+i%26))+string(rune(i))))
	}
	if len(s.without(first)) != 1 || len(s.ids) > removedCapacity {
		t.Fatalf("after %d more ids the first must be forgotten (remembered %d)", removedCapacity, len(s.ids))
	}
}
