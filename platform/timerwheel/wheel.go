// Package timerwheel keeps durable timers — "look at this id again at that
// time" — so that a sweep reads only the timers that are due, never a whole
// growing collection.
//
// A sweep over a filter such as {deadline: {$lte: now}} reads every document
// of a collection on the embedded FerretDB (docs/performance.md), so its cost
// grows with history. A Wheel instead files each id under the time slot it
// is due in: one small document per slot and shard, addressed by _id. A
// sweep walks the slots from a cursor up to now, each an indexed lookup, and
// asks the owner what to do with every id it finds there (see Judge).
// Timers are at-least-once: an id stays filed until the owner's Judge drops
// it, so a sweep that fails half-way loses nothing, and an id may be judged
// more than once.
package timerwheel

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/mongodb"
)

// Options shape a Wheel; zero values take the defaults.
type Options struct {
	// Slot is the width of a time slot (default 5 s): a timer fires at most
	// one slot plus Grace late.
	Slot time.Duration
	// Shards splits each slot into that many documents (default 2), so a
	// busy slot's document stays small.
	Shards int
	// Grace is how long after a slot ends it is first swept (default 2 s),
	// so a timer filed by a replica whose clock is slightly behind still
	// lands in a slot not swept yet.
	Grace time.Duration
}

// Wheel is a durable set of timers in one collection.
type Wheel struct {
	coll   *mongo.Collection
	writer *mongodb.Writer
	opts   Options
}

// cursorID is the document that remembers the first slot not yet swept
// empty.
const cursorID = "cursor"

// maxWalk bounds the slots one sweep walks one by one; behind by more (the
// service was down for hours), the sweep looks up which slots exist.
const maxWalk = 720

// New returns the wheel kept in collection of db (writes through db's
// Writer, so on the embedded store every write is by _id).
func New(db *mongodb.Store, collection string, opts Options) *Wheel {
	if opts.Slot <= 0 {
		opts.Slot = 5 * time.Second
	}
	if opts.Shards <= 0 {
		opts.Shards = 2
	}
	if opts.Grace <= 0 {
		opts.Grace = 2 * time.Second
	}
	return &Wheel{coll: db.Write.Collection(collection), writer: db.Writer, opts: opts}
}

// slotDoc is one shard of one slot: the ids filed there with their times.
type slotDoc struct {
	ID  string               `bson:"_id"`
	IDs map[string]time.Time `bson:"ids"`
}

func (w *Wheel) slotOf(t time.Time) int64 { return t.UnixNano() / int64(w.opts.Slot) }

func (w *Wheel) docID(slot int64, shard int) string {
	return "s" + strconv.FormatInt(slot, 10) + "." + strconv.Itoa(shard)
}

func (w *Wheel) shardOf(id string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % uint32(w.opts.Shards)) //nolint:gosec // Shards is a small positive count (New)
}

// Schedule files id to be judged at or after at. Call it before the write
// whose safety net the timer is (a timer for a document never written is
// dropped by its Judge; a document without its timer would never be swept).
// A time in the past is filed for now.
func (w *Wheel) Schedule(ctx context.Context, id string, at, now time.Time) error {
	if at.Before(now) {
		at = now
	}
	slot := w.slotOf(at)
	doc := w.docID(slot, w.shardOf(id))
	_, err := w.writer.UpdateOne(ctx, w.coll, doc, nil,
		bson.M{"$set": bson.M{"ids." + id: at.UTC().Truncate(time.Millisecond)}}, true)
	return mongodb.Translate(err, "schedule timer "+id)
}

// Verdict is what a Judge decides for one due id.
type Verdict int

// The verdicts.
const (
	// Fire: the id is due; Due returns it and keeps it filed until a later
	// sweep's Judge drops or reschedules it.
	Fire Verdict = iota
	// Drop: nothing to do any more (done, or never written); unfile it.
	Drop
	// Later: file it again at the time the Judge returns.
	Later
)

// Judge decides what to do with an id whose timer is due. For Later it
// returns the new time.
type Judge func(ctx context.Context, id string) (Verdict, time.Time, error)

// Due walks the slots up to the one now is in, judges their ids and
// returns up to limit ids that fired. Dropped and rescheduled ids are
// unfiled and emptied slots deleted; the cursor moves past empty slots
// that ended at least Grace ago.
func (w *Wheel) Due(ctx context.Context, now time.Time, limit int, judge Judge) ([]string, error) {
	settled := w.slotOf(now.Add(-w.opts.Grace)) - 1 // no timer can be filed here any more
	cursor, err := w.cursor(ctx)
	if err != nil {
		return nil, err
	}
	slots, err := w.slotsToWalk(ctx, cursor, w.slotOf(now))
	if err != nil {
		return nil, err
	}
	var fired []string
	// The cursor moves to the first slot that still holds timers, or past
	// every settled slot walked empty; it is written once per sweep.
	next, holding := cursor, false
	for _, slot := range slots {
		if len(fired) >= limit {
			holding = true
			break
		}
		empty := true
		for shard := 0; shard < w.opts.Shards && len(fired) < limit; shard++ {
			got, left, err := w.sweepDoc(ctx, w.docID(slot, shard), now, limit-len(fired), judge)
			if err != nil {
				return fired, err
			}
			fired = append(fired, got...)
			empty = empty && left == 0
		}
		switch {
		case holding:
		case !empty || slot > settled:
			next, holding = slot, true
		default:
			next = slot + 1
		}
	}
	if !holding && next <= settled {
		next = settled + 1 // every timer filed up to now was walked
	}
	if next != cursor {
		if err := w.setCursor(ctx, next); err != nil {
			return fired, err
		}
	}
	return fired, nil
}

// sweepDoc judges the ids of one slot document (at most limit of them
// fire) and reports how many stay filed.
func (w *Wheel) sweepDoc(ctx context.Context, docID string, now time.Time, limit int, judge Judge) (fired []string, left int, err error) {
	var doc slotDoc
	err = w.coll.FindOne(ctx, bson.M{"_id": docID}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, mongodb.Translate(err, "read timers "+docID)
	}
	unset := bson.M{}
	for id := range doc.IDs {
		if len(fired) >= limit {
			left++
			continue
		}
		verdict, at, err := judge(ctx, id)
		if err != nil {
			return fired, 0, err
		}
		switch verdict {
		case Fire:
			fired = append(fired, id)
			left++
		case Later:
			if at.Before(now) {
				at = now
			}
			if w.docID(w.slotOf(at), w.shardOf(id)) == docID {
				left++ // due later in this very slot: it stays
				continue
			}
			if err := w.Schedule(ctx, id, at, now); err != nil {
				return fired, 0, err
			}
			unset["ids."+id] = ""
		default:
			unset["ids."+id] = ""
		}
	}
	if left == 0 {
		_, err := w.writer.DeleteOne(ctx, w.coll, docID, nil)
		return fired, 0, mongodb.Translate(err, "delete timers "+docID)
	}
	if len(unset) > 0 {
		if _, err := w.writer.UpdateOne(ctx, w.coll, docID, nil, bson.M{"$unset": unset}, false); err != nil {
			return fired, left, mongodb.Translate(err, "unfile timers "+docID)
		}
	}
	return fired, left, nil
}

// cursor reads the first slot not yet swept empty; math.MinInt64 when no
// sweep has moved it yet (the first sweep then looks up which slots exist).
func (w *Wheel) cursor(ctx context.Context) (int64, error) {
	var doc struct {
		Slot *int64 `bson:"slot"`
	}
	err := w.coll.FindOne(ctx, bson.M{"_id": cursorID}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) || err == nil && doc.Slot == nil {
		return math.MinInt64, nil
	}
	if err != nil {
		return 0, mongodb.Translate(err, "read timer cursor")
	}
	return *doc.Slot, nil
}

func (w *Wheel) setCursor(ctx context.Context, slot int64) error {
	_, err := w.writer.UpdateOne(ctx, w.coll, cursorID, nil, bson.M{"$set": bson.M{"slot": slot}}, true)
	return mongodb.Translate(err, "move timer cursor")
}

// slotsToWalk lists the slots from cursor to last. Far behind, it reads
// which slot documents exist instead (the collection holds only pending
// timers, so this read is bounded by what is in flight, not by history).
func (w *Wheel) slotsToWalk(ctx context.Context, cursor, last int64) ([]int64, error) {
	if last < cursor {
		return nil, nil
	}
	if cursor > math.MinInt64 && last-cursor < maxWalk {
		slots := make([]int64, 0, last-cursor+1)
		for s := cursor; s <= last; s++ {
			slots = append(slots, s)
		}
		return slots, nil
	}
	cur, err := w.coll.Find(ctx, bson.M{})
	if err != nil {
		return nil, mongodb.Translate(err, "list timer slots")
	}
	defer cur.Close(ctx)
	seen := map[int64]bool{}
	for cur.Next(ctx) {
		var doc slotDoc
		if err := cur.Decode(&doc); err != nil {
			return nil, mongodb.Translate(err, "list timer slots")
		}
		var slot int64
		var shard int
		if _, err := fmt.Sscanf(doc.ID, "s%d.%d", &slot, &shard); err == nil && slot <= last {
			seen[slot] = true
		}
	}
	if err := cur.Err(); err != nil {
		return nil, mongodb.Translate(err, "list timer slots")
	}
	slots := make([]int64, 0, len(seen)+1)
	for s := range seen {
		slots = append(slots, s)
	}
	slices.Sort(slots)
	// End on last, so an all-empty walk moves the cursor up to now.
	if len(slots) == 0 || slots[len(slots)-1] != last {
		slots = append(slots, last)
	}
	return slots, nil
}

// Init prepares a wheel on its first use: when it has no cursor document
// yet, it runs backfill (which Schedules the timers of data written before
// the wheel existed; nil for none) and then records that it did. Later
// calls cost one lookup. Call it at start-up, before the first Due.
func (w *Wheel) Init(ctx context.Context, backfill func(context.Context) error) error {
	err := w.coll.FindOne(ctx, bson.M{"_id": cursorID}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return mongodb.Translate(err, "read timer cursor")
	}
	if backfill != nil {
		if err := backfill(ctx); err != nil {
			return fmt.Errorf("backfill timers: %w", err)
		}
	}
	_, err = w.writer.UpdateOne(ctx, w.coll, cursorID, nil, bson.M{"$set": bson.M{"backfilled": true}}, true)
	return mongodb.Translate(err, "record timer backfill")
}
