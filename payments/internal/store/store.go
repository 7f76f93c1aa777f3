// Package store keeps payments in MongoDB (or the embedded FerretDB): one
// document per order, written with single-document conditional updates that
// carry the events of each transition in the document's outbox
// (docs/architecture.md "Storage rules"), plus the due retries and the
// processed webhook event ids.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// Collection names.
const (
	PaymentsCollection      = "payments"
	RetriesCollection       = "payment_retries"
	WebhookEventsCollection = "stripe_events"
)

// Store reads and writes payments. Writes go through the write database
// (one connection on FerretDB); the API's reads through the read pool.
type Store struct {
	payments     *mongo.Collection
	readPayments *mongo.Collection
	retries      *mongo.Collection
	webhooks     *mongo.Collection
	writer       *mongodb.Writer // every write by _id, guards included
	relay        *outbox.Relay
}

// New returns the store of db and has relay (may be nil) watch the
// payments' outboxes; relay is notified after every write that produced
// events.
func New(db *mongodb.Store, relay *outbox.Relay) *Store {
	s := &Store{
		payments:     db.Write.Collection(PaymentsCollection),
		readPayments: db.Read.Collection(PaymentsCollection),
		retries:      db.Write.Collection(RetriesCollection),
		webhooks:     db.Write.Collection(WebhookEventsCollection),
		writer:       db.Writer,
		relay:        relay,
	}
	relay.Watch(s.payments)
	return s
}

// EnsureIndexes creates the indexes: the PaymentIntent id (charge.refunded
// webhooks without order metadata), the due time of retries and the
// receipt time of Stripe events (pruning).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := mongodb.EnsureIndexes(ctx, s.payments, mongo.IndexModel{
		Keys:    bson.D{{Key: "payment_intent_id", Value: 1}},
		Options: options.Index().SetName("payment_intent_id").SetSparse(true),
	}); err != nil {
		return fmt.Errorf("payments indexes: %w", err)
	}
	if err := mongodb.EnsureIndexes(ctx, s.retries, mongo.IndexModel{
		Keys: bson.D{{Key: "due", Value: 1}}, Options: options.Index().SetName("due"),
	}); err != nil {
		return fmt.Errorf("payment retries indexes: %w", err)
	}
	if err := mongodb.EnsureIndexes(ctx, s.webhooks, mongo.IndexModel{
		Keys: bson.D{{Key: "received_at", Value: 1}}, Options: options.Index().SetName("received_at"),
	}); err != nil {
		return fmt.Errorf("stripe events indexes: %w", err)
	}
	return nil
}

// Get loads the payment of an order from the write connection (read your
// own writes in read-modify-write loops); apperr.ErrNotFound when none.
func (s *Store) Get(ctx context.Context, orderID string) (*domain.Payment, error) {
	return s.get(ctx, s.payments, orderID)
}

// Read loads the payment of an order through the read pool (the API).
func (s *Store) Read(ctx context.Context, orderID string) (*domain.Payment, error) {
	return s.get(ctx, s.readPayments, orderID)
}

func (s *Store) get(ctx context.Context, coll *mongo.Collection, orderID string) (*domain.Payment, error) {
	var d paymentDoc
	err := coll.FindOne(ctx, bson.M{"_id": orderID}, options.FindOne().SetProjection(bson.M{outbox.Field: 0})).Decode(&d)
	if err != nil {
		return nil, mongodb.Translate(err, "find payment "+orderID)
	}
	return fromDoc(d), nil
}

// FindByPaymentIntent loads the payment whose PaymentIntent is id. It is
// the fallback for a Stripe event without the order in its metadata, off
// the checkout's hot path: on the embedded FerretDB it reads the whole
// collection (docs/performance.md).
func (s *Store) FindByPaymentIntent(ctx context.Context, id string) (*domain.Payment, error) {
	var d paymentDoc
	err := s.payments.FindOne(ctx, bson.M{"payment_intent_id": id}, options.FindOne().SetProjection(bson.M{outbox.Field: 0})).Decode(&d)
	if err != nil {
		return nil, mongodb.Translate(err, "find payment of "+id)
	}
	return fromDoc(d), nil
}

// Insert stores a new payment with the outbox entries of its creation. An
// existing payment of the order is apperr.ErrConflict.
func (s *Store) Insert(ctx context.Context, p *domain.Payment, entries []outbox.Entry) error {
	d := toDoc(p)
	d.Outbox = entries
	if err := outbox.Insert(ctx, s.writer, s.relay, s.payments, p.OrderID, d, entries); err != nil {
		return mongodb.Translate(err, "insert payment "+p.OrderID)
	}
	return nil
}

// Guard is the state a payment must still be in for an update to apply.
type Guard struct {
	Version int64
	Status  domain.Status
	Attempt int
}

// GuardOf is the guard of a payment as it was loaded.
func GuardOf(p *domain.Payment) Guard {
	return Guard{Version: p.Version, Status: p.Status, Attempt: p.Attempt}
}

// Update writes p's new state and appends entries to its outbox in one
// conditional single-document update: it applies only while the stored
// payment still matches guard (version, status and attempt), otherwise it
// returns apperr.ErrConflict and nothing changes. p.Version is advanced.
func (s *Store) Update(ctx context.Context, p *domain.Payment, guard Guard, entries []outbox.Entry) error {
	d := toDoc(p)
	d.Version = guard.Version + 1
	set := bson.M{
		"shopper_id": d.ShopperID, "amount": d.Amount, "currency": d.Currency, "payment_method": d.PaymentMethod,
		"attempt": d.Attempt, "deadline": d.Deadline, "status": d.Status, "idempotency_key": d.IdempotencyKey,
		"payment_intent_id": d.PaymentIntentID, "decline_code": d.DeclineCode, "failure_code": d.FailureCode, "failure_message": d.FailureMessage,
		"next_action": d.NextAction, "client_secret": d.ClientSecret, "refunds": d.Refunds,
		"refunded_amount": d.RefundedAmount, "retry": d.Retry, "version": d.Version, "updated_at": d.UpdatedAt,
	}
	cond := bson.M{"version": guard.Version, "status": string(guard.Status), "attempt": guard.Attempt}
	matched, err := outbox.Update(ctx, s.writer, s.relay, s.payments, p.OrderID, cond, bson.M{"$set": set}, entries)
	if err != nil {
		return mongodb.Translate(err, "update payment "+p.OrderID)
	}
	if !matched {
		return fmt.Errorf("update payment %s: %w: it changed meanwhile", p.OrderID, apperr.ErrConflict)
	}
	p.Version = d.Version
	return nil
}

// IsConflict reports whether err is a failed guard or duplicate insert.
func IsConflict(err error) bool { return errors.Is(err, apperr.ErrConflict) }

// now is the store's clock for bookkeeping fields.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
