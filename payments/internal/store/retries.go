package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/mongodb"
)

// A retry document says that an order's payment owes a Stripe call at due.
// The collection holds only payments with pending work, so the sweeper's
// scan stays small whatever the number of payments (FerretDB scans every
// non-_id query).
type retryDocument struct {
	OrderID string    `bson:"_id"`
	Due     time.Time `bson:"due"`
}

// DueRetry is an order whose pending Stripe call is due.
type DueRetry struct {
	OrderID string
	Due     time.Time
}

// ScheduleRetry records that the order's payment must be resumed at due
// (replacing an earlier due time).
func (s *Store) ScheduleRetry(ctx context.Context, orderID string, due time.Time) (time.Time, error) {
	due = ms(due)
	_, err := s.writer.UpdateOne(ctx, s.retries, orderID, nil, bson.M{"$set": bson.M{"due": due}}, true)
	if err != nil {
		return time.Time{}, mongodb.Translate(err, "schedule retry of "+orderID)
	}
	return due, nil
}

// ClearRetry removes the order's retry if it is still the one due at due
// (a retry scheduled since is kept).
func (s *Store) ClearRetry(ctx context.Context, orderID string, due time.Time) error {
	_, err := s.writer.DeleteOne(ctx, s.retries, orderID, bson.M{"due": ms(due)})
	return mongodb.Translate(err, "clear retry of "+orderID)
}

// DueRetries lists up to limit retries due at now, earliest first.
func (s *Store) DueRetries(ctx context.Context, now time.Time, limit int) ([]DueRetry, error) {
	cur, err := s.retries.Find(ctx, bson.M{"due": bson.M{"$lte": now}},
		options.Find().SetSort(bson.D{{Key: "due", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, mongodb.Translate(err, "find due retries")
	}
	var docs []retryDocument
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.Translate(err, "read due retries")
	}
	out := make([]DueRetry, 0, len(docs))
	for _, d := range docs {
		out = append(out, DueRetry{OrderID: d.OrderID, Due: d.Due.UTC()})
	}
	return out, nil
}

// RetryOf returns the order's scheduled retry time; ok is false when none.
func (s *Store) RetryOf(ctx context.Context, orderID string) (time.Time, bool, error) {
	var d retryDocument
	err := s.retries.FindOne(ctx, bson.M{"_id": orderID}).Decode(&d)
	if err != nil {
		err = mongodb.Translate(err, "find retry of "+orderID)
		if isNotFound(err) {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, err
	}
	return d.Due.UTC(), true, nil
}
