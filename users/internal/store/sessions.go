package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

// ErrSessionChanged is returned by SaveSession when the stored session is
// no longer at the generation the change was computed from: load it again
// and reapply. It matches apperr.ErrConflict.
var ErrSessionChanged = usecase.ErrSessionChanged

// ErrSessionNotFound is returned for an unknown refresh session; it
// matches apperr.ErrNotFound.
var ErrSessionNotFound = usecase.ErrSessionNotFound

// sessionDoc is a refresh session as stored: only the hash of the current
// secret, never a token.
type sessionDoc struct {
	ID           string    `bson:"_id"`
	UserID       string    `bson:"user_id"`
	SecretHash   string    `bson:"secret_hash"`
	Generation   int64     `bson:"generation"`
	CreatedAt    time.Time `bson:"created_at"`
	ExpiresAt    time.Time `bson:"expires_at"`
	RevokedAt    time.Time `bson:"revoked_at,omitempty"`
	RevokeReason string    `bson:"revoke_reason,omitempty"`
}

func (s *Store) sessions() *mongo.Collection { return s.db.Write.Collection(SessionsCollection) }

// InsertSession stores a new refresh session.
func (s *Store) InsertSession(ctx context.Context, sess domain.RefreshSession) error {
	_, err := s.sessions().InsertOne(ctx, sessionDoc(sess))
	return mongodb.Translate(err, "insert refresh session")
}

// FindSession loads a refresh session by id; ErrSessionNotFound when there
// is none. It reads through the write handle: a rotation must see the
// latest generation.
func (s *Store) FindSession(ctx context.Context, id string) (domain.RefreshSession, error) {
	var doc sessionDoc
	err := s.sessions().FindOne(ctx, bson.M{"_id": id}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.RefreshSession{}, ErrSessionNotFound
	}
	if err != nil {
		return domain.RefreshSession{}, mongodb.Translate(err, "find refresh session")
	}
	sess := domain.RefreshSession(doc)
	sess.CreatedAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.ExpiresAt.UTC()
	if !sess.RevokedAt.IsZero() {
		sess.RevokedAt = sess.RevokedAt.UTC()
	}
	return sess, nil
}

// SaveSession replaces the session with next, but only where the stored
// generation is still prevGeneration (one conditional single-document
// write); otherwise ErrSessionChanged.
func (s *Store) SaveSession(ctx context.Context, next domain.RefreshSession, prevGeneration int64) error {
	saved, err := s.db.Writer.ReplaceOne(ctx, s.sessions(), next.ID, bson.M{"generation": prevGeneration}, sessionDoc(next))
	if err != nil {
		return mongodb.Translate(err, "save refresh session")
	}
	if !saved {
		return ErrSessionChanged
	}
	return nil
}

// DeleteSessionsExpiredBefore removes sessions whose current token expired
// before cutoff (FerretDB has no TTL indexes, so a sweeper calls this) and
// returns how many went.
func (s *Store) DeleteSessionsExpiredBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.sessions().DeleteMany(ctx, bson.M{"expires_at": bson.M{"$lt": cutoff.UTC()}})
	if err != nil {
		return 0, mongodb.Translate(err, "delete expired refresh sessions")
	}
	return res.DeletedCount, nil
}
