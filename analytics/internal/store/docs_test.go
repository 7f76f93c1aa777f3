package store

import "testing"

func TestFieldKeysRoundTrip(t *testing.T) {
	for _, id := range []string{"p1", "a.b", "$set", "100%", "%2E", "k", "red mug", "x.$%y"} {
		if got := idOfKey(fieldKey(id)); got != id {
			t.Errorf("idOfKey(fieldKey(%q)) = %q", id, got)
		}
	}
}
