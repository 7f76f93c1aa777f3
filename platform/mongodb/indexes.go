package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/mongo"
)

// EnsureIndexes creates the given indexes on coll if they do not exist yet;
// services call it at start-up. Creating an index that already exists with
// the same keys and options is a no-op on MongoDB and FerretDB. FerretDB v1
// rejects TTL indexes (expireAfterSeconds): expire documents with a sweeper
// instead (DESIGN §2).
func EnsureIndexes(ctx context.Context, coll *mongo.Collection, models ...mongo.IndexModel) error {
	if len(models) == 0 {
		return nil
	}
	if _, err := coll.Indexes().CreateMany(ctx, models); err != nil {
		return Translate(err, fmt.Sprintf("ensure indexes on %s", coll.Name()))
	}
	return nil
}
