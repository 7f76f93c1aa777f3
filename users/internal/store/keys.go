package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/users/internal/security"
)

// keyDoc is a signing key as stored; the unique index on generation makes
// replicas that create or rotate a key at once converge on one.
type keyDoc struct {
	ID         string    `bson:"_id"`
	Generation int64     `bson:"generation"`
	PrivateKey string    `bson:"private_key"`
	CreatedAt  time.Time `bson:"created_at"`
}

// SigningKeys is the security.KeyStore of the signing_keys collection.
type SigningKeys struct{ s *Store }

var _ security.KeyStore = SigningKeys{}

// SigningKeys returns the key ring's store.
func (s *Store) SigningKeys() SigningKeys { return SigningKeys{s: s} }

// Load returns every stored key record. It reads through the write handle,
// so a replica that just lost an insert race sees the winner's key.
func (k SigningKeys) Load(ctx context.Context) ([]security.KeyRecord, error) {
	cur, err := k.s.db.Write.Collection(KeysCollection).Find(ctx, bson.M{})
	if err != nil {
		return nil, mongodb.Translate(err, "load signing keys")
	}
	var docs []keyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.Translate(err, "load signing keys")
	}
	recs := make([]security.KeyRecord, len(docs))
	for i, d := range docs {
		recs[i] = security.KeyRecord{ID: d.ID, Generation: d.Generation, PrivateKey: d.PrivateKey, CreatedAt: d.CreatedAt.UTC()}
	}
	return recs, nil
}

// Add stores a new key record; a record of the same generation or id is
// an error matching apperr.ErrConflict.
func (k SigningKeys) Add(ctx context.Context, rec security.KeyRecord) error {
	_, err := k.s.db.Write.Collection(KeysCollection).InsertOne(ctx, keyDoc(rec))
	return mongodb.Translate(err, fmt.Sprintf("add signing key generation %d", rec.Generation))
}
