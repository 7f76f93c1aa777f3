package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/mongodb"
)

// EmailsCollection maps each normalised email (its _id) to the user that
// holds it, so a login finds the account with two _id lookups instead of a
// query on email, which FerretDB v1 answers by scanning every user.
const EmailsCollection = "user_emails"

// ClaimTimeout is how long an email claim without its user document is
// taken as a registration in flight. A claim older than that, whose user
// was never written (the process died between the two inserts), may be
// taken over by a new registration.
const ClaimTimeout = time.Minute

// emailDoc claims an email for a user.
type emailDoc struct {
	Email     string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
}

func (s *Store) emails() *mongo.Collection { return s.db.Write.Collection(EmailsCollection) }

// claimEmail records that email belongs to userID. The _id makes it unique:
// of concurrent claims one wins, the others get ErrEmailTaken. A claim
// left by a registration that died before writing its user is taken over
// once it is older than ClaimTimeout.
func (s *Store) claimEmail(ctx context.Context, email, userID string) error {
	now := time.Now().UTC()
	_, err := s.emails().InsertOne(ctx, emailDoc{Email: email, UserID: userID, CreatedAt: now})
	if err == nil {
		return nil
	}
	if !mongodb.IsDuplicateKey(err) {
		return mongodb.Translate(err, "claim email")
	}
	var existing emailDoc
	if err := s.emails().FindOne(ctx, bson.M{"_id": email}).Decode(&existing); err != nil {
		return mongodb.Translate(err, "read email claim")
	}
	if now.Sub(existing.CreatedAt) < ClaimTimeout {
		return ErrEmailTaken
	}
	if _, err := s.FindUserByID(ctx, existing.UserID); !errors.Is(err, ErrUserNotFound) {
		if err != nil {
			return err
		}
		return ErrEmailTaken
	}
	// An orphaned claim: take it over, unless someone else just did.
	took, err := s.db.Writer.UpdateOne(ctx, s.emails(), email, bson.M{"user_id": existing.UserID},
		bson.M{"$set": bson.M{"user_id": userID, "created_at": now}}, false)
	if err != nil {
		return mongodb.Translate(err, "take over email claim")
	}
	if !took {
		return ErrEmailTaken
	}
	return nil
}

// releaseEmail drops userID's claim on email after its user could not be
// written, so the address is not blocked until ClaimTimeout.
func (s *Store) releaseEmail(ctx context.Context, email, userID string) {
	_, _ = s.db.Writer.DeleteOne(context.WithoutCancel(ctx), s.emails(), email, bson.M{"user_id": userID})
}

// userIDByEmail returns the id of the user holding email; ErrUserNotFound
// when nobody does.
func (s *Store) userIDByEmail(ctx context.Context, email string) (string, error) {
	var claim emailDoc
	err := s.db.Read.Collection(EmailsCollection).FindOne(ctx, bson.M{"_id": email}).Decode(&claim)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", ErrUserNotFound
	}
	if err != nil {
		return "", mongodb.Translate(err, "find email claim")
	}
	return claim.UserID, nil
}
