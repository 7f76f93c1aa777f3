package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// Reservation reads the reservation of orderID; apperr.ErrNotFound when the
// catalog has none yet.
func (s *Store) Reservation(ctx context.Context, orderID string) (domain.Reservation, error) {
	var doc reservationDoc
	if err := s.readReserved.FindOne(ctx, bson.M{"_id": orderID}).Decode(&doc); err != nil {
		return domain.Reservation{}, wrap(err, "reservation %s", orderID)
	}
	return doc.reservation(), nil
}

// InsertReservation records an order's reservation outcome with its events.
// apperr.ErrConflict when the order already has one.
func (s *Store) InsertReservation(ctx context.Context, r domain.Reservation, entries ...outbox.Entry) error {
	if _, err := s.reservations.InsertOne(ctx, toReservationDoc(r, entries)); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return fmt.Errorf("reservation %s: %w: already recorded", r.OrderID, apperr.ErrConflict)
		}
		return wrap(err, "insert reservation %s", r.OrderID)
	}
	s.notify(s.reservations, r.OrderID, entries)
	return nil
}

// Transition moves orderID's reservation from one of the states from to
// state to, with its events, and reports whether it did (false: the
// reservation was in another state). A non-empty reason is stored as the
// release reason.
func (s *Store) Transition(ctx context.Context, orderID string, from []domain.ReservationState, to domain.ReservationState, reason string, now time.Time, entries ...outbox.Entry) (bool, error) {
	set := bson.M{"state": string(to), "updated_at": now}
	if reason != "" {
		set["release_reason"] = reason
	}
	states := make([]string, len(from))
	for i, st := range from {
		states[i] = string(st)
	}
	res, err := s.reservations.UpdateOne(ctx,
		bson.M{"_id": orderID, "state": bson.M{"$in": states}},
		outbox.Push(bson.M{"$set": set}, entries...))
	if err != nil {
		return false, wrap(err, "reservation %s to %s", orderID, to)
	}
	if res.MatchedCount == 0 {
		return false, nil
	}
	s.notify(s.reservations, orderID, entries)
	return true, nil
}

// DueForRelease lists up to limit reservations whose hold has expired
// (reserved, expires_at before now) or whose release was left unfinished.
func (s *Store) DueForRelease(ctx context.Context, now time.Time, limit int64) ([]domain.Reservation, error) {
	cur, err := s.readReserved.Find(ctx, bson.M{
		"state":      bson.M{"$in": []string{string(domain.StateReserved), string(domain.StateReleasing)}},
		"expires_at": bson.M{"$lt": now},
	}, options.Find().SetLimit(limit))
	if err != nil {
		return nil, wrap(err, "find expired reservations")
	}
	var docs []reservationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(err, "find expired reservations")
	}
	out := make([]domain.Reservation, len(docs))
	for i, d := range docs {
		out[i] = d.reservation()
	}
	return out, nil
}
