package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/orders/internal/domain"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/listindex"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/platform/timerwheel"
)

// Orders stores orders, each with the outbox of its events.
type Orders struct {
	read     *mongo.Collection
	write    *mongo.Collection
	writer   *mongodb.Writer
	timers   *timerwheel.Wheel // deadlines of waiting orders
	lists    *listindex.List   // each shopper's and merchant's orders
	notifier outbox.Notifier
}

// Insert stores a new order together with its events, in one write. An
// order with the same id already stored is an apperr.ErrConflict.
func (s *Orders) Insert(ctx context.Context, o domain.Order, events []outbox.Entry) error {
	doc := toOrderDoc(o)
	doc.Outbox = events
	// The deadline's timer first: a timer without its order is dropped by
	// the sweep, an order without its timer would never be swept.
	if !o.Deadline.IsZero() {
		if err := s.timers.Schedule(ctx, o.ID, o.Deadline, o.CreatedAt); err != nil {
			return err
		}
	}
	// So are its entries in the lists of its shopper and merchants.
	for _, key := range listKeys(o) {
		if err := s.lists.Add(ctx, key, o.ID, o.CreatedAt); err != nil {
			return err
		}
	}
	if err := outbox.Insert(ctx, s.writer, s.notifier, s.write, o.ID, doc, events); err != nil {
		return mongodb.Translate(err, "insert order "+o.ID)
	}
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
	guard := bson.M{"status": string(before.Status), "version": before.Version}
	matched, err := outbox.Update(ctx, s.writer, s.notifier, s.write, before.ID, guard, update, events)
	if err != nil {
		return mongodb.Translate(err, "update order "+before.ID)
	}
	if !matched {
		return fmt.Errorf("update order %s from %s v%d: %w", before.ID, before.Status, before.Version, ErrStale)
	}
	return nil
}

// ListByShopper lists a shopper's orders, newest first.
func (s *Orders) ListByShopper(ctx context.Context, shopperID string, page domain.Page) ([]domain.Order, error) {
	return s.list(ctx, shopperKey(shopperID), page, func(o domain.Order) bool { return o.ShopperID == shopperID })
}

// ListByMerchant lists the orders with lines of a merchant, newest first.
func (s *Orders) ListByMerchant(ctx context.Context, merchantID string, page domain.Page) ([]domain.Order, error) {
	return s.list(ctx, merchantKey(merchantID), page, func(o domain.Order) bool { return slices.Contains(o.MerchantIDs(), merchantID) })
}

// list reads a page of the list key (see listindex) and each of its orders
// by _id: a few lookups whatever the number of orders stored. An entry
// whose order was never written (a checkout that failed after filing it)
// is skipped.
func (s *Orders) list(ctx context.Context, key string, page domain.Page, belongs func(domain.Order) bool) ([]domain.Order, error) {
	after := ""
	if page.After != nil {
		after = page.After.ID
	}
	var out []domain.Order
	for len(out) < page.Limit {
		items, err := s.lists.Page(ctx, key, after, page.Limit-len(out))
		if err != nil || len(items) == 0 {
			return out, err
		}
		for _, it := range items {
			o, err := s.Get(ctx, it.ID)
			if errors.Is(err, apperr.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if belongs(o) {
				out = append(out, o)
			}
		}
		after = items[len(items)-1].ID
	}
	return out, nil
}

func shopperKey(id string) string  { return "shopper:" + id }
func merchantKey(id string) string { return "merchant:" + id }

// listKeys are the lists an order appears in.
func listKeys(o domain.Order) []string {
	keys := []string{shopperKey(o.ShopperID)}
	for _, m := range o.MerchantIDs() {
		keys = append(keys, merchantKey(m))
	}
	return keys
}

// backfillLists builds the lists of every order stored before they existed:
// one read of the whole collection, once.
func (s *Orders) backfillLists(ctx context.Context) (map[string][]listindex.Item, error) {
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}).SetProjection(bson.M{"outbox": 0})
	all, err := s.find(ctx, bson.M{}, opts, "read orders for their lists")
	if err != nil {
		return nil, err
	}
	lists := map[string][]listindex.Item{}
	for _, o := range all {
		for _, key := range listKeys(o) {
			lists[key] = append(lists[key], listindex.Item{ID: o.ID, At: o.CreatedAt})
		}
	}
	return lists, nil
}

// Due lists up to limit orders whose deadline is at or before now. It reads
// only the deadline timers that are due (see timerwheel), never the whole
// collection: an order whose deadline moved on is filed again at its new
// deadline, and one no longer waiting is unfiled.
func (s *Orders) Due(ctx context.Context, now time.Time, limit int) ([]domain.Order, error) {
	var due []domain.Order
	_, err := s.timers.Due(ctx, now, limit, func(ctx context.Context, id string) (timerwheel.Verdict, time.Time, error) {
		o, err := s.Get(ctx, id)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			return timerwheel.Drop, time.Time{}, nil
		case err != nil:
			return 0, time.Time{}, err
		case o.Deadline.IsZero():
			return timerwheel.Drop, time.Time{}, nil
		case o.Deadline.After(now):
			return timerwheel.Later, o.Deadline, nil
		}
		due = append(due, o)
		return timerwheel.Fire, time.Time{}, nil
	})
	return due, err
}

// backfillDeadlines files the deadline of every order stored before the
// deadline timers existed: one read of the whole collection, once.
func (s *Orders) backfillDeadlines(ctx context.Context) error {
	opts := options.Find().SetProjection(bson.M{"outbox": 0})
	waiting, err := s.find(ctx, bson.M{"deadline": bson.M{"$exists": true}}, opts, "find orders with deadlines")
	if err != nil {
		return err
	}
	for _, o := range waiting {
		if o.Deadline.IsZero() {
			continue
		}
		if err := s.timers.Schedule(ctx, o.ID, o.Deadline, o.Deadline); err != nil {
			return err
		}
	}
	return nil
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
