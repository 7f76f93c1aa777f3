// Package store keeps the users service's state in MongoDB: accounts (with
// their user.registered events in the same document, docs/architecture.md
// "Storage rules"), refresh sessions and signing keys. Every change is one
// single-document write, conditional where a race matters; driver errors
// become apperr kinds.
package store

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

// The store is the use cases' port.
var _ usecase.AccountStore = (*Store)(nil)

// Collection names.
const (
	UsersCollection    = "users"
	SessionsCollection = "refresh_sessions"
	KeysCollection     = "signing_keys"
)

// Store is the users service's database.
type Store struct {
	db       *mongodb.Store
	notifier outbox.Notifier
}

// New returns a Store over db. notifier may be nil (events then wait for
// the relay's start-up sweep).
func New(db *mongodb.Store, notifier outbox.Notifier) *Store {
	if notifier == nil {
		notifier = outbox.Discard
	}
	s := &Store{db: db, notifier: notifier}
	notifier.Watch(s.Users())
	return s
}

// Users is the write handle of the users collection, the one the outbox
// relay must watch.
func (s *Store) Users() *mongo.Collection { return s.db.Write.Collection(UsersCollection) }

// EnsureIndexes creates the indexes the service relies on: unique
// normalised email and unique signing-key generation (both are how
// concurrent writers converge), and session expiry for the sweeper.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	unique := func(name string, keys bson.D) mongo.IndexModel {
		return mongo.IndexModel{Keys: keys, Options: options.Index().SetUnique(true).SetName(name)}
	}
	if err := mongodb.EnsureIndexes(ctx, s.Users(), unique("email_unique", bson.D{{Key: "email", Value: 1}})); err != nil {
		return err
	}
	if err := mongodb.EnsureIndexes(ctx, s.db.Write.Collection(KeysCollection), unique("generation_unique", bson.D{{Key: "generation", Value: 1}})); err != nil {
		return err
	}
	expiry := mongo.IndexModel{Keys: bson.D{{Key: "expires_at", Value: 1}}, Options: options.Index().SetName("expires_at")}
	if err := mongodb.EnsureIndexes(ctx, s.db.Write.Collection(SessionsCollection), expiry); err != nil {
		return fmt.Errorf("refresh sessions: %w", err)
	}
	return nil
}
