package outbox

import (
	"fmt"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// docRef names one document of a watched collection.
type docRef struct {
	key  string // collection and _id, unique per document
	coll *mongo.Collection
	id   any
}

// newDocRef builds the reference of the document with _id id in coll.
func newDocRef(coll *mongo.Collection, id any) docRef {
	return docRef{key: collKey(coll) + "\x00" + idKey(id), coll: coll, id: id}
}

// collKey identifies a collection across databases.
func collKey(coll *mongo.Collection) string {
	return coll.Database().Name() + "." + coll.Name()
}

// idKey encodes an _id so equal ids give equal keys whatever their Go type.
func idKey(id any) string {
	t, data, err := bson.MarshalValue(id)
	if err != nil {
		return fmt.Sprintf("%T:%v", id, id)
	}
	return string(rune(t)) + string(data)
}

// queue holds the documents to process, each at most once (notifications of
// one document coalesce), in first-notified order.
type queue struct {
	mu    sync.Mutex
	order []docRef
	keys  map[string]bool
	wake  chan struct{} // receives a signal when something was added
}

func newQueue() *queue {
	return &queue{keys: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// add enqueues ref unless it is already waiting, and wakes the worker.
func (q *queue) add(refs ...docRef) {
	q.mu.Lock()
	added := false
	for _, ref := range refs {
		if !q.keys[ref.key] {
			q.keys[ref.key] = true
			q.order = append(q.order, ref)
			added = true
		}
	}
	q.mu.Unlock()
	if added {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// take removes and returns up to n documents from the front.
func (q *queue) take(n int) []docRef {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, len(q.order))
	out := make([]docRef, n)
	copy(out, q.order[:n])
	q.order = q.order[n:]
	for _, ref := range out {
		delete(q.keys, ref.key)
	}
	return out
}

// len is the number of waiting documents.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.order)
}
