package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/mongodb"
)

// SnapshotsCollection holds the read model's snapshot: a head document and
// the chunks of the generation it names. Reading it costs a few lookups by
// _id, where reading every product costs a decode per document on the
// embedded store (about 0.5 ms each: 5 s for 10,000).
const SnapshotsCollection = "readmodel_snapshots"

// snapshotHeadID is the _id of the head document.
const snapshotHeadID = "head"

// Snapshot is a read model snapshot: opaque chunks (readmodel.EncodeChunks)
// and, per partition of catalog.events, the offset of the first event it
// may not include. Every earlier event is in it.
type Snapshot struct {
	// Generation is unique per snapshot; chunk k is stored as Generation/k.
	Generation string
	Offsets    map[int]int64
	Products   int
	TakenAt    time.Time
	Chunks     [][]byte
}

type snapshotHeadDoc struct {
	ID         string           `bson:"_id"`
	Generation string           `bson:"generation"`
	Chunks     int              `bson:"chunks"`
	Products   int              `bson:"products"`
	Offsets    map[string]int64 `bson:"offsets"`
	TakenAt    time.Time        `bson:"taken_at"`
}

type snapshotChunkDoc struct {
	ID   string `bson:"_id"`
	Data []byte `bson:"data"`
}

func chunkID(generation string, k int) string { return generation + "/" + strconv.Itoa(k) }

func (s *Store) snapshots(write bool) *mongo.Collection {
	if write {
		return s.products.Database().Collection(SnapshotsCollection)
	}
	return s.readProducts.Database().Collection(SnapshotsCollection)
}

// SaveSnapshot stores snap as the current snapshot: its chunks first, then
// the head that names them, then the previous generation's chunks are
// deleted. A concurrent save by another replica wins or loses as a whole
// (the head is replaced only if it still names the generation read at the
// start); the loser's chunks are deleted and it reports nothing wrong, since
// either snapshot is valid.
func (s *Store) SaveSnapshot(ctx context.Context, snap Snapshot) error {
	coll := s.snapshots(true)
	var prev snapshotHeadDoc
	err := coll.FindOne(ctx, bson.M{"_id": snapshotHeadID}).Decode(&prev)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return wrap(err, "read snapshot head")
	}
	for k, data := range snap.Chunks {
		if _, err := coll.InsertOne(ctx, snapshotChunkDoc{ID: chunkID(snap.Generation, k), Data: data}); err != nil {
			return wrap(err, "write snapshot chunk %d", k)
		}
	}
	head := snapshotHeadDoc{
		ID: snapshotHeadID, Generation: snap.Generation, Chunks: len(snap.Chunks), Products: snap.Products,
		Offsets: map[string]int64{}, TakenAt: snap.TakenAt.UTC().Truncate(time.Millisecond),
	}
	for p, off := range snap.Offsets {
		head.Offsets[strconv.Itoa(p)] = off
	}
	won := true
	if prev.Generation == "" {
		_, err = coll.InsertOne(ctx, head)
		if mongodb.IsDuplicateKey(err) {
			won, err = false, nil
		}
	} else {
		var res *mongo.UpdateResult
		res, err = coll.ReplaceOne(ctx, bson.M{"_id": snapshotHeadID, "generation": prev.Generation}, head)
		if err == nil && res.MatchedCount == 0 {
			won = false
		}
	}
	if err != nil {
		return wrap(err, "write snapshot head")
	}
	if won {
		return s.deleteChunks(ctx, prev.Generation, prev.Chunks)
	}
	return s.deleteChunks(ctx, snap.Generation, len(snap.Chunks))
}

func (s *Store) deleteChunks(ctx context.Context, generation string, n int) error {
	for k := range n {
		if _, err := s.snapshots(true).DeleteOne(ctx, bson.M{"_id": chunkID(generation, k)}); err != nil {
			return wrap(err, "delete snapshot chunk %s", chunkID(generation, k))
		}
	}
	return nil
}

// ErrNoSnapshot means there is no complete snapshot to read.
var ErrNoSnapshot = errors.New("no read model snapshot")

// LoadSnapshot reads the current snapshot: the head, then each chunk by
// _id. ErrNoSnapshot when there is none, or when a concurrent save kept
// replacing it while it was read.
func (s *Store) LoadSnapshot(ctx context.Context) (Snapshot, error) {
	coll := s.snapshots(false)
	for range 3 {
		var head snapshotHeadDoc
		err := coll.FindOne(ctx, bson.M{"_id": snapshotHeadID}).Decode(&head)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return Snapshot{}, ErrNoSnapshot
		}
		if err != nil {
			return Snapshot{}, wrap(err, "read snapshot head")
		}
		snap := Snapshot{Generation: head.Generation, Products: head.Products, TakenAt: head.TakenAt.UTC(), Offsets: map[int]int64{}}
		for p, off := range head.Offsets {
			partition, err := strconv.Atoi(p)
			if err != nil {
				return Snapshot{}, fmt.Errorf("snapshot head: partition %q: %w", p, err)
			}
			snap.Offsets[partition] = off
		}
		complete := true
		for k := range head.Chunks {
			var chunk snapshotChunkDoc
			err := coll.FindOne(ctx, bson.M{"_id": chunkID(head.Generation, k)}).Decode(&chunk)
			if errors.Is(err, mongo.ErrNoDocuments) { // replaced while read: read the new head
				complete = false
				break
			}
			if err != nil {
				return Snapshot{}, wrap(err, "read snapshot chunk %d", k)
			}
			snap.Chunks = append(snap.Chunks, chunk.Data)
		}
		if complete {
			return snap, nil
		}
	}
	return Snapshot{}, ErrNoSnapshot
}
