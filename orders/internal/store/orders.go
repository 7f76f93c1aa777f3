package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/orders/internal/domain"

	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// Orders stores orders, each with the outbox of its events.
type Orders struct {
	read     *mongo.Collection
	write    *mongo.Collection
	notifier Notifier
}

// Collection is the collection the outbox relay watches.
func (s *Orders) Collection() *mongo.Collection { return s.write }

// Insert stores a new order together with its events, in one write. An
// order with the same id already stored is an apperr.ErrConflict.
func (s *Orders) Insert(ctx context.Context, o domain.Order, events []outbox.Entry) error {
	doc := toOrderDoc(o)
	doc.Outbox = events
	if _, err := s.write.InsertOne(ctx, doc); err != nil {
		return mongodb.Translate(err, "insert order "+o.ID)
	}
	s.notifier.Notify(s.write, o.ID)
	return nil
}

// Get reads one order; a missing one is apperr.ErrNotFound.
func (s *Orders) Get(ctx context.Context, id string) (domain.Order, error) {
	var doc orderDoc
	err := s.read.FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(bson.M{"outbox": 0})).Decode(&doc)
	if err != nil {
		return domain.Order{}, mongodb.Translate(err, "find order "+id)
	}
	return doc.domain(), nil
}

// Update writes after over before in one conditional update together with
// events: it applies only if the stored order still has before's status
// and version, and increments the version. Otherwise it returns ErrStale
// and writes nothing.
func (s *Orders) Update(ctx context.Context, before, after domain.Order, events []outbox.Entry) error {
	doc := toOrderDoc(after)
	set := bson.M{
		"status":               doc.Status,
		"lines":                doc.Lines,
		"payment_status":       doc.PaymentStatus,
		"payment_attempt":      doc.PaymentAttempt,
		"cancelled_while_paid": doc.CancelledWhilePaid,
		"updated_at":           doc.UpdatedAt,
	}
	unset := bson.M{}
	optional := map[string]any{"cancel_reason": doc.CancelReason, "payment_intent_id": doc.PaymentIntentID}
	for field, value := range optional {
		if value == "" {
			unset[field] = ""
		} else {
			set[field] = value
		}
	}
	if doc.Deadline != nil {
		set["deadline"] = *doc.Deadline
	} else {
		unset["deadline"] = ""
	}
	update := bson.M{"$set": set, "$inc": bson.M{"version": 1}}
	if len(unset) > 0 {
		update["$unset"] = unset
	}
	update = outbox.Push(update, events...)
	filter := bson.M{"_id": before.ID, "status": string(before.Status), "version": before.Version}
	res, err := s.write.UpdateOne(ctx, filter, update)
	if err != nil {
		return mongodb.Translate(err, "update order "+before.ID)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("update order %s from %s v%d: %w", before.ID, before.Status, before.Version, ErrStale)
	}
	if len(events) > 0 {
		s.notifier.Notify(s.write, before.ID)
	}
	return nil
}

// Page selects a page of a list, newest first.
type Page struct {
	// Limit is the page size.
	Limit int
	// After is the position of the last order of the previous page; nil
	// for the first page.
	After *Position
}

// Position is an order's place in a newest-first list.
type Position struct {
	CreatedAt time.Time
	ID        string
}

// ListByShopper lists a shopper's orders, newest first.
func (s *Orders) ListByShopper(ctx context.Context, shopperID string, page Page) ([]domain.Order, error) {
	return s.list(ctx, bson.M{"shopper_id": shopperID}, page)
}

// ListByMerchant lists the orders with lines of a merchant, newest first.
func (s *Orders) ListByMerchant(ctx context.Context, merchantID string, page Page) ([]domain.Order, error) {
	return s.list(ctx, bson.M{"merchant_ids": merchantID}, page)
}

func (s *Orders) list(ctx context.Context, filter bson.M, page Page) ([]domain.Order, error) {
	if page.After != nil {
		filter["$or"] = bson.A{
			bson.M{"created_at": bson.M{"$lt": page.After.CreatedAt}},
			bson.M{"created_at": page.After.CreatedAt, "_id": bson.M{"$lt": page.After.ID}},
		}
	}
	opts := options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(page.Limit)).
		SetProjection(bson.M{"outbox": 0})
	return s.find(ctx, filter, opts, "list orders")
}

// Due lists up to limit orders whose deadline is at or before now.
func (s *Orders) Due(ctx context.Context, now time.Time, limit int) ([]domain.Order, error) {
	opts := options.Find().SetLimit(int64(limit)).SetProjection(bson.M{"outbox": 0})
	return s.find(ctx, bson.M{"deadline": bson.M{"$lte": now}}, opts, "find due orders")
}

func (s *Orders) find(ctx context.Context, filter bson.M, opts *options.FindOptions, what string) ([]domain.Order, error) {
	cur, err := s.read.Find(ctx, filter, opts)
	if err != nil {
		return nil, mongodb.Translate(err, what)
	}
	var docs []orderDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.Translate(err, what)
	}
	orders := make([]domain.Order, len(docs))
	for i, d := range docs {
		orders[i] = d.domain()
	}
	return orders, nil
}

// IsStale reports whether err is an update that lost to a concurrent one.
func IsStale(err error) bool { return errors.Is(err, ErrStale) }
