package mongodb

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/event"
)

var observers struct {
	sync.RWMutex
	next int
	fns  map[int]func(*event.CommandStartedEvent)
}

// ObserveCommands calls fn with every command that any client made by
// Connect in this process starts, until the returned stop is called. Tests
// use it to pin the shape of what a store sends (every hot-path filter a
// lone _id, see docs/performance.md); fn must be safe for concurrent use.
func ObserveCommands(fn func(*event.CommandStartedEvent)) (stop func()) {
	observers.Lock()
	defer observers.Unlock()
	if observers.fns == nil {
		observers.fns = map[int]func(*event.CommandStartedEvent){}
	}
	id := observers.next
	observers.next++
	observers.fns[id] = fn
	return func() {
		observers.Lock()
		defer observers.Unlock()
		delete(observers.fns, id)
	}
}

func notifyObservers(_ context.Context, e *event.CommandStartedEvent) {
	observers.RLock()
	defer observers.RUnlock()
	for _, fn := range observers.fns {
		fn(e)
	}
}
