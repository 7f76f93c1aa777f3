package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

type webhookDoc struct {
	ID         string    `bson:"_id"`
	MerchantID string    `bson:"merchant_id"`
	URL        string    `bson:"url"`
	EventTypes []string  `bson:"event_types"`
	Secret     string    `bson:"secret"`
	CreatedAt  time.Time `bson:"created_at"`
}

// InsertWebhook stores a new webhook.
func (s *Store) InsertWebhook(ctx context.Context, w domain.Webhook) error {
	_, err := s.w.Collection(WebhooksCollection).InsertOne(ctx, webhookDoc(w))
	return mongodb.Translate(err, "insert webhook "+w.ID)
}

// Webhook returns the webhook id of merchantID; another merchant's is
// ErrNotFound, exactly like a missing one.
func (s *Store) Webhook(ctx context.Context, merchantID, id string) (domain.Webhook, error) {
	var d webhookDoc
	if err := s.findByID(ctx, WebhooksCollection, id, &d, "find webhook "+id); err != nil {
		return domain.Webhook{}, err
	}
	if d.MerchantID != merchantID {
		return domain.Webhook{}, fmt.Errorf("find webhook %s: %w", id, apperr.ErrNotFound)
	}
	return domain.Webhook(d), nil
}

// WebhooksOf lists a merchant's webhooks, oldest first.
func (s *Store) WebhooksOf(ctx context.Context, merchantID string) ([]domain.Webhook, error) {
	cur, err := s.r.Collection(WebhooksCollection).Find(ctx, bson.M{"merchant_id": merchantID},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}).SetLimit(domain.MaxWebhooksPerMerchant*2))
	if err != nil {
		return nil, mongodb.Translate(err, "list webhooks of "+merchantID)
	}
	var docs []webhookDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.Translate(err, "list webhooks of "+merchantID)
	}
	out := make([]domain.Webhook, len(docs))
	for i, d := range docs {
		out[i] = domain.Webhook(d)
	}
	return out, nil
}

// DeleteWebhook removes merchantID's webhook id; a missing one is ErrNotFound.
func (s *Store) DeleteWebhook(ctx context.Context, merchantID, id string) error {
	res, err := s.w.Collection(WebhooksCollection).DeleteOne(ctx, bson.M{"_id": id, "merchant_id": merchantID})
	if err != nil {
		return mongodb.Translate(err, "delete webhook "+id)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete webhook %s: %w", id, apperr.ErrNotFound)
	}
	return nil
}

// SetSecret replaces the signing secret of merchantID's webhook id.
func (s *Store) SetSecret(ctx context.Context, merchantID, id, secret string) error {
	res, err := s.w.Collection(WebhooksCollection).UpdateOne(ctx, bson.M{"_id": id, "merchant_id": merchantID},
		bson.M{"$set": bson.M{"secret": secret}})
	if err != nil {
		return mongodb.Translate(err, "rotate secret of webhook "+id)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("rotate secret of webhook %s: %w", id, apperr.ErrNotFound)
	}
	return nil
}

type deliveryDoc struct {
	ID             string        `bson:"_id"`
	WebhookID      string        `bson:"webhook_id"`
	MerchantID     string        `bson:"merchant_id"`
	EventID        string        `bson:"event_id"`
	EventType      string        `bson:"event_type"`
	Payload        []byte        `bson:"payload"`
	Status         domain.Status `bson:"status"`
	Attempts       int           `bson:"attempts"`
	LastError      string        `bson:"last_error,omitempty"`
	LastStatusCode int           `bson:"last_status_code,omitempty"`
	CreatedAt      time.Time     `bson:"created_at"`
	NextTryAt      time.Time     `bson:"next_try_at"`
	DeliveredAt    time.Time     `bson:"delivered_at,omitzero"`
}

// EnqueueDelivery records a new delivery and queues it; an existing one is
// left as it is (and queued again while still queued). It reports whether
// the delivery was new.
func (s *Store) EnqueueDelivery(ctx context.Context, d domain.Delivery) (bool, error) {
	d.Status = domain.StatusQueued
	fresh, err := s.insertOnce(ctx, DeliveriesCollection, deliveryDoc(d), "insert delivery "+d.ID)
	if err != nil {
		return false, err
	}
	if !fresh {
		existing, err := s.Delivery(ctx, d.ID)
		if err != nil {
			return false, err
		}
		if existing.Status != domain.StatusQueued {
			return false, nil
		}
		d = existing
	}
	return fresh, s.schedule(ctx, QueueDelivery, d.ID, d.NextTryAt, time.Time{})
}

// Delivery looks a delivery up by id.
func (s *Store) Delivery(ctx context.Context, id string) (domain.Delivery, error) {
	var d deliveryDoc
	if err := s.findByID(ctx, DeliveriesCollection, id, &d, "find delivery "+id); err != nil {
		return domain.Delivery{}, err
	}
	return domain.Delivery(d), nil
}

// SettleDelivery records the outcome of an attempt and updates the queue.
func (s *Store) SettleDelivery(ctx context.Context, d domain.Delivery) error {
	set := bson.M{"status": d.Status, "attempts": d.Attempts, "last_error": d.LastError,
		"last_status_code": d.LastStatusCode, "next_try_at": d.NextTryAt, "delivered_at": d.DeliveredAt}
	if _, err := s.w.Collection(DeliveriesCollection).UpdateByID(ctx, d.ID, bson.M{"$set": set}); err != nil {
		return mongodb.Translate(err, "settle delivery "+d.ID)
	}
	if d.Status == domain.StatusQueued {
		return s.schedule(ctx, QueueDelivery, d.ID, d.NextTryAt, time.Time{})
	}
	return s.unschedule(ctx, QueueDelivery, d.ID)
}

// DeliveriesOf lists a webhook's latest deliveries, newest first.
func (s *Store) DeliveriesOf(ctx context.Context, webhookID string, limit int) ([]domain.Delivery, error) {
	cur, err := s.r.Collection(DeliveriesCollection).Find(ctx, bson.M{"webhook_id": webhookID},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, mongodb.Translate(err, "list deliveries of "+webhookID)
	}
	var docs []deliveryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mongodb.Translate(err, "list deliveries of "+webhookID)
	}
	out := make([]domain.Delivery, len(docs))
	for i, d := range docs {
		out[i] = domain.Delivery(d)
	}
	return out, nil
}
