package outbox

import (
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// docRef names one document of a watched collection.
type docRef struct {
	key  string // collection and _id, unique per document
	coll *mongo.Collection
	id   any
	// queued is when the document was first put in the queue since it was
	// last taken (zero until then): the relay's wait metric starts there.
	queued time.Time
	// known reports that pending is the document's whole outbox as a write
	// of this process left it, so the relay need not load it.
	known   bool
	pending []bson.Raw
}

// merge folds a later notification of the same document into r. Two
// snapshots of one outbox differ only by entries removed at the front and
// appended at the back, so when one holds every entry of the other, that
// one is the whole truth; otherwise, or when either must be loaded, the
// document is loaded.
func (r *docRef) merge(later docRef) {
	switch {
	case !r.known || !later.known:
		r.known, r.pending = false, nil
	case containsAll(later.pending, r.pending):
		r.pending = later.pending
	case containsAll(r.pending, later.pending):
	default:
		r.known, r.pending = false, nil
	}
}

// containsAll reports whether every entry of part is in whole, by id.
func containsAll(whole, part []bson.Raw) bool {
	ids := make(map[string]bool, len(whole))
	for _, raw := range whole {
		ids[entryID(raw)] = true
	}
	for _, raw := range part {
		if !ids[entryID(raw)] {
			return false
		}
	}
	return true
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
	order []*docRef
	refs  map[string]*docRef // by key, the refs in order
	wake  chan struct{}      // receives a signal when something was added
}

func newQueue() *queue {
	return &queue{refs: map[string]*docRef{}, wake: make(chan struct{}, 1)}
}

// add enqueues refs and wakes the worker. A document already waiting keeps
// its place; what is known of its outbox is merged (see merge). A ref put
// back after a failed round keeps its first queued time.
func (q *queue) add(refs ...docRef) {
	q.mu.Lock()
	added := false
	now := time.Now()
	for _, ref := range refs {
		if waiting, ok := q.refs[ref.key]; ok {
			waiting.merge(ref)
			continue
		}
		if ref.queued.IsZero() {
			ref.queued = now
		}
		stored := ref
		q.refs[ref.key] = &stored
		q.order = append(q.order, &stored)
		added = true
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
	for i, ref := range q.order[:n] {
		out[i] = *ref
		delete(q.refs, ref.key)
	}
	q.order = q.order[n:]
	return out
}

// len is the number of waiting documents.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.order)
}
