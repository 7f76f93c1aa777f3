package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

// ErrEmailTaken is returned by InsertUser when the normalised email
// belongs to another account; it matches apperr.ErrConflict and its text
// is fit for clients.
var ErrEmailTaken = usecase.ErrEmailTaken

// ErrUserNotFound is returned for a user that does not exist; it matches
// apperr.ErrNotFound.
var ErrUserNotFound = usecase.ErrUserNotFound

// userDoc is a user as stored. The password hash never leaves the service.
type userDoc struct {
	ID           string       `bson:"_id"`
	Email        string       `bson:"email"`
	Name         string       `bson:"name"`
	PasswordHash string       `bson:"password_hash"`
	Roles        []string     `bson:"roles"`
	MerchantID   string       `bson:"merchant_id,omitempty"`
	StoreName    string       `bson:"store_name,omitempty"`
	Addresses    []addressDoc `bson:"addresses"`
	// AddressesVersion guards changes of Addresses (absent on accounts
	// made before the address book: read as 0).
	AddressesVersion int64          `bson:"addresses_version"`
	CreatedAt        time.Time      `bson:"created_at"`
	UpdatedAt        time.Time      `bson:"updated_at"`
	Outbox           []outbox.Entry `bson:"outbox,omitempty"`
}

type addressDoc struct {
	ID         string `bson:"id"`
	Default    bool   `bson:"default"`
	Name       string `bson:"name"`
	Line1      string `bson:"line1"`
	Line2      string `bson:"line2,omitempty"`
	City       string `bson:"city"`
	Region     string `bson:"region,omitempty"`
	PostalCode string `bson:"postal_code"`
	Country    string `bson:"country"`
}

// InsertUser stores a new account together with the outbox entries of its
// events (user.registered, built by the use cases) in one insert, after
// claiming its email (see EmailsCollection). An email already taken is
// ErrEmailTaken; of concurrent registrations of one email exactly one
// succeeds (the claim's _id, and the unique index on users.email behind
// it).
func (s *Store) InsertUser(ctx context.Context, u domain.User, entries []outbox.Entry) error {
	if err := s.claimEmail(ctx, u.Email, u.ID); err != nil {
		return err
	}
	doc := toUserDoc(u)
	doc.Outbox = entries
	if err := outbox.Insert(ctx, s.db.Writer, s.notifier, s.Users(), u.ID, doc, doc.Outbox); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return ErrEmailTaken
		}
		s.releaseEmail(ctx, u.Email, u.ID)
		return mongodb.Translate(err, "insert user "+u.ID)
	}
	return nil
}

// FindUserByID loads a user by id (an _id lookup); ErrUserNotFound when
// there is none.
func (s *Store) FindUserByID(ctx context.Context, id string) (domain.User, error) {
	return s.findUser(ctx, bson.M{"_id": id}, "find user "+id)
}

// FindUserByEmail loads a user by normalised email with two _id lookups
// (email claim, then user); ErrUserNotFound when there is none. An unknown
// email makes the second lookup too (of an id nobody has), so known and
// unknown emails cost a login the same round trips.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (domain.User, error) {
	id, err := s.userIDByEmail(ctx, email)
	if errors.Is(err, ErrUserNotFound) {
		id = "no-such-user"
	} else if err != nil {
		return domain.User{}, err
	}
	user, err := s.FindUserByID(ctx, id)
	if err != nil {
		return domain.User{}, err
	}
	return user, nil
}

func (s *Store) findUser(ctx context.Context, filter bson.M, what string) (domain.User, error) {
	var doc userDoc
	err := s.db.Read.Collection(UsersCollection).FindOne(ctx, filter).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.User{}, ErrUserNotFound
	}
	if err != nil {
		return domain.User{}, mongodb.Translate(err, what)
	}
	return doc.toDomain(), nil
}

// SetPasswordHash replaces a user's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string, now time.Time) error {
	matched, err := s.db.Writer.UpdateOne(ctx, s.Users(), userID, nil,
		bson.M{"$set": bson.M{"password_hash": hash, "updated_at": now.UTC()}}, false)
	if err != nil {
		return mongodb.Translate(err, "set password of user "+userID)
	}
	if !matched {
		return ErrUserNotFound
	}
	return nil
}

func toUserDoc(u domain.User) userDoc {
	addresses := make([]addressDoc, len(u.Addresses))
	for i, a := range u.Addresses {
		addresses[i] = addressDoc(a)
	}
	return userDoc{
		ID:               u.ID,
		Email:            u.Email,
		Name:             u.Name,
		PasswordHash:     u.PasswordHash,
		Roles:            u.RoleNames(),
		MerchantID:       u.MerchantID,
		StoreName:        u.StoreName,
		Addresses:        addresses,
		AddressesVersion: u.AddressesVersion,
		CreatedAt:        u.CreatedAt,
		UpdatedAt:        u.UpdatedAt,
	}
}

func (d userDoc) toDomain() domain.User {
	roles := make([]domain.Role, len(d.Roles))
	for i, r := range d.Roles {
		roles[i] = domain.Role(r)
	}
	addresses := make([]domain.Address, len(d.Addresses))
	for i, a := range d.Addresses {
		addresses[i] = domain.Address(a)
	}
	return domain.User{
		ID:               d.ID,
		Email:            d.Email,
		Name:             d.Name,
		PasswordHash:     d.PasswordHash,
		Roles:            roles,
		MerchantID:       d.MerchantID,
		StoreName:        d.StoreName,
		Addresses:        addresses,
		AddressesVersion: d.AddressesVersion,
		CreatedAt:        d.CreatedAt.UTC(),
		UpdatedAt:        d.UpdatedAt.UTC(),
	}
}
