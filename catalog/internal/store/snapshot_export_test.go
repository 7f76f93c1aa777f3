package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
)

// SnapshotDocuments counts the snapshot collection's documents (tests only).
func (s *Store) SnapshotDocuments(ctx context.Context) (int64, error) {
	return s.snapshots(false).CountDocuments(ctx, bson.M{})
}
