package analytics

import "sync"

// hub wakes the open streams of a merchant when this instance records
// something for that merchant.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

func newHub() *hub { return &hub{subs: map[string]map[chan struct{}]struct{}{}} }

// subscribe returns a channel that receives (at most one pending) wake-up
// per change of merchant's sales, and the function that unsubscribes it.
func (h *hub) subscribe(merchant string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[merchant] == nil {
		h.subs[merchant] = map[chan struct{}]struct{}{}
	}
	h.subs[merchant][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[merchant], ch)
		if len(h.subs[merchant]) == 0 {
			delete(h.subs, merchant)
		}
		h.mu.Unlock()
	}
}

// notify wakes every stream of merchant without blocking.
func (h *hub) notify(merchant string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[merchant] {
		select {
		case ch <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}
