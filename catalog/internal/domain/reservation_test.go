package domain

import "testing"

func TestMergeLines(t *testing.T) {
	got, err := MergeLines([]Line{{"b", 2}, {"a", 1}, {"b", 3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (Line{"a", 1}) || got[1] != (Line{"b", 5}) {
		t.Fatalf("merged %v", got)
	}
	for name, lines := range map[string][]Line{
		"none":          nil,
		"zero quantity": {{"a", 0}},
		"negative":      {{"a", -2}},
		"no product":    {{" ", 1}},
		"sum too large": {{"a", 600_000}, {"a", 600_000}},
	} {
		if _, err := MergeLines(lines); err == nil {
			t.Errorf("%s: accepted %v", name, lines)
		}
	}
}

func TestOnCancel(t *testing.T) {
	want := map[ReservationState]CancelAction{
		StateReserved: CancelRelease, StateReleasing: CancelRelease,
		StateCommitted: CancelReturn, StateReturning: CancelReturn,
		StateCommitting: CancelNothing, StateRejected: CancelNothing, StateReleased: CancelNothing, StateReturned: CancelNothing,
	}
	for state, action := range want {
		if got := state.OnCancel(); got != action {
			t.Errorf("%s.OnCancel() = %v, want %v", state, got, action)
		}
	}
	if !StateReturned.Finished() || StateCommitted.Finished() {
		t.Fatal("Finished is wrong")
	}
}

func TestValidOrderID(t *testing.T) {
	for id, ok := range map[string]bool{"0193-abc_D": true, "": false, "a.b": false, "$where": false, "a b": false} {
		if ValidOrderID(id) != ok {
			t.Errorf("ValidOrderID(%q) = %v", id, !ok)
		}
	}
}
