package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

type notificationDoc struct {
	ID          string         `bson:"_id"`
	EventID     string         `bson:"event_id"`
	Kind        domain.Kind    `bson:"kind"`
	RecipientID string         `bson:"recipient_id"`
	OrderID     string         `bson:"order_id,omitempty"`
	Lines       []domain.Line  `bson:"lines,omitempty"`
	Total       domain.Money   `bson:"total"`
	Discount    domain.Money   `bson:"discount"`
	Shipping    domain.Money   `bson:"shipping"`
	Address     domain.Address `bson:"address"`
	Reason      string         `bson:"reason,omitempty"`
	Status      domain.Status  `bson:"status"`
	Attempts    int            `bson:"attempts"`
	LastError   string         `bson:"last_error,omitempty"`
	Email       string         `bson:"email,omitempty"`
	MessageID   string         `bson:"message_id,omitempty"`
	CreatedAt   time.Time      `bson:"created_at"`
	NextTryAt   time.Time      `bson:"next_try_at"`
	SentAt      time.Time      `bson:"sent_at,omitzero"`
}

// Enqueue records a new notification and queues it, leased to the caller
// until leaseUntil (zero: free for any worker at once), so that the caller
// can send it right away without claiming it. A notification whose id
// exists already is left as it is (a redelivered event), but queued again
// if it is still queued and its queue entry is missing, in case a crash
// came between its insert and its queue entry (an entry that exists keeps
// its lease). It reports whether the notification was new: only a new one
// is leased.
func (s *Store) Enqueue(ctx context.Context, n domain.Notification, leaseUntil time.Time) (bool, error) {
	n.Status = domain.StatusQueued
	fresh, err := s.insertOnce(ctx, NotificationsCollection, notificationDoc(n), "insert notification "+n.ID)
	if err != nil {
		return false, err
	}
	if !fresh {
		existing, err := s.Notification(ctx, n.ID)
		if err != nil {
			return false, err
		}
		if existing.Status != domain.StatusQueued {
			return false, nil
		}
		return false, s.ensureScheduled(ctx, QueueNotification, existing.ID, existing.NextTryAt)
	}
	return true, s.schedule(ctx, QueueNotification, n.ID, n.NextTryAt, leaseUntil)
}

// Notification looks a notification up by id.
func (s *Store) Notification(ctx context.Context, id string) (domain.Notification, error) {
	var d notificationDoc
	if err := s.findByID(ctx, NotificationsCollection, id, &d, "find notification "+id); err != nil {
		return domain.Notification{}, err
	}
	return domain.Notification(d), nil
}

// Settle records the outcome of a send (sent, failed, suppressed, or queued
// again for NextTryAt) and updates the queue to match.
func (s *Store) Settle(ctx context.Context, n domain.Notification) error {
	set := bson.M{"status": n.Status, "attempts": n.Attempts, "last_error": n.LastError, "email": n.Email,
		"message_id": n.MessageID, "next_try_at": n.NextTryAt, "sent_at": n.SentAt}
	_, err := s.w.Collection(NotificationsCollection).UpdateByID(ctx, n.ID, bson.M{"$set": set})
	if err != nil {
		return mongodb.Translate(err, "settle notification "+n.ID)
	}
	if n.Status == domain.StatusQueued {
		return s.schedule(ctx, QueueNotification, n.ID, n.NextTryAt, time.Time{})
	}
	return s.unschedule(ctx, QueueNotification, n.ID)
}

// Requeue puts a notification back to queued with its attempts reset,
// due now: the operator's replay of a failed notification.
func (s *Store) Requeue(ctx context.Context, id string, now time.Time) (domain.Notification, error) {
	n, err := s.Notification(ctx, id)
	if err != nil {
		return domain.Notification{}, err
	}
	n.Status, n.Attempts, n.LastError, n.NextTryAt, n.CreatedAt = domain.StatusQueued, 0, "", now, now
	set := bson.M{"status": n.Status, "attempts": 0, "last_error": "", "next_try_at": now, "created_at": now}
	if _, err := s.w.Collection(NotificationsCollection).UpdateByID(ctx, id, bson.M{"$set": set}); err != nil {
		return domain.Notification{}, mongodb.Translate(err, "requeue notification "+id)
	}
	return n, s.ensureScheduled(ctx, QueueNotification, id, now)
}
