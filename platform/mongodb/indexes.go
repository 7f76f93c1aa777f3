package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/mongo"
)

// EnsureIndexes creates the given indexes on coll if they do not exist yet;
// services call it at start-up. Creating an index that already exists with
// the same keys and options is a no-op on MongoDB and FerretDB.
//
// Indexes are created one per command: FerretDB v1 drops the connection on a
// createIndexes command that names several indexes which all exist already,
// which made a restarted service crash-loop. FerretDB v1 also rejects TTL
// indexes (expireAfterSeconds): expire documents with a sweeper instead
// (docs/architecture.md "Storage rules").
func EnsureIndexes(ctx context.Context, coll *mongo.Collection, models ...mongo.IndexModel) error {
	for _, model := range models {
		if _, err := coll.Indexes().CreateOne(ctx, model); err != nil {
			return Translate(err, fmt.Sprintf("ensure indexes on %s", coll.Name()))
		}
	}
	return nil
}
