package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

// webhookEventDoc records a processed Stripe event; its _id (the event id)
// is the unique index that makes duplicates harmless.
type webhookEventDoc struct {
	ID      string `bson:"_id"`
	Type    string `bson:"type"`
	OrderID string `bson:"order_id,omitempty"`
	Result  string `bson:"result"`
	At      any    `bson:"received_at"`
}

// WebhookSeen reports whether the Stripe event id was processed already.
func (s *Store) WebhookSeen(ctx context.Context, eventID string) (bool, error) {
	err := s.webhooks.FindOne(ctx, bson.M{"_id": eventID}).Err()
	if err == nil {
		return true, nil
	}
	err = mongodb.Translate(err, "find stripe event "+eventID)
	if isNotFound(err) {
		return false, nil
	}
	return false, err
}

// RecordWebhook records a processed Stripe event. It reports false when the
// id was recorded already (a concurrent duplicate delivery).
func (s *Store) RecordWebhook(ctx context.Context, eventID, eventType, orderID, result string) (bool, error) {
	_, err := s.webhooks.InsertOne(ctx, webhookEventDoc{ID: eventID, Type: eventType, OrderID: orderID, Result: result, At: now()})
	if mongodb.IsDuplicateKey(err) {
		return false, nil
	}
	if err != nil {
		return false, mongodb.Translate(err, "record stripe event "+eventID)
	}
	return true, nil
}

// PruneWebhooks forgets the Stripe events received before cutoff and
// returns how many it removed. Stripe retries a delivery for up to three
// days, so a retention well beyond that keeps deduplication intact; FerretDB
// has no TTL indexes, so a worker calls this periodically.
func (s *Store) PruneWebhooks(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.webhooks.DeleteMany(ctx, bson.M{"received_at": bson.M{"$lt": cutoff}})
	if err != nil {
		return 0, mongodb.Translate(err, "prune stripe events")
	}
	return res.DeletedCount, nil
}

func isNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }
