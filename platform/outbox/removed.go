package outbox

import (
	"sync"

	"go.mongodb.org/mongo-driver/bson"
)

// removedCapacity bounds how many removed entry ids a relay remembers: far
// more than can be published between a write and its relay round.
const removedCapacity = 8192

// removedSet remembers the ids of the entries this relay removed last. A
// write may report a document's outbox while the relay is publishing some
// of its entries (the write read them before they were removed); the next
// round then skips those instead of publishing them twice.
type removedSet struct {
	mu   sync.Mutex
	ids  map[string]bool
	ring []string
	next int
}

func newRemovedSet() *removedSet {
	return &removedSet{ids: map[string]bool{}, ring: make([]string, removedCapacity)}
}

// add remembers the ids of entries, forgetting the oldest beyond capacity.
func (s *removedSet) add(entries []bson.Raw) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, raw := range entries {
		id := entryID(raw)
		if id == "" || s.ids[id] {
			continue
		}
		if old := s.ring[s.next]; old != "" {
			delete(s.ids, old)
		}
		s.ring[s.next] = id
		s.ids[id] = true
		s.next = (s.next + 1) % len(s.ring)
	}
}

// without returns entries less those removed.
func (s *removedSet) without(entries []bson.Raw) []bson.Raw {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]bson.Raw, 0, len(entries))
	for _, raw := range entries {
		if !s.ids[entryID(raw)] {
			out = append(out, raw)
		}
	}
	return out
}
