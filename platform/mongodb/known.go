package mongodb

import (
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// knownDocsLimit bounds how many documents an emulating Writer remembers.
const knownDocsLimit = 4096

// knownDocs are the documents an emulating Writer wrote last, as the store
// returned them after the write, so that the next guarded write of one of
// them judges its guard without reading it again: under the single-writer
// rule (every write of a guarded field goes through the one Writer of the
// one process that writes the database) nothing else can have changed
// them. A document leaves when it is replaced or deleted, and an arbitrary
// one when the limit is reached; a document this Writer never wrote (an
// insert, a start-up) is read as before.
type knownDocs struct {
	mu   sync.Mutex
	docs map[string]bson.Raw
}

func knownKey(coll *mongo.Collection, id string) string {
	return coll.Database().Name() + "." + coll.Name() + "|" + id
}

func (k *knownDocs) get(coll *mongo.Collection, id string) (bson.Raw, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	doc, ok := k.docs[knownKey(coll, id)]
	return doc, ok
}

func (k *knownDocs) put(coll *mongo.Collection, id string, doc bson.Raw) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.docs == nil {
		k.docs = map[string]bson.Raw{}
	}
	key := knownKey(coll, id)
	if _, ok := k.docs[key]; !ok && len(k.docs) >= knownDocsLimit {
		for victim := range k.docs { // an arbitrary one: map order is random
			delete(k.docs, victim)
			break
		}
	}
	k.docs[key] = doc
}

func (k *knownDocs) forget(coll *mongo.Collection, id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.docs, knownKey(coll, id))
}
