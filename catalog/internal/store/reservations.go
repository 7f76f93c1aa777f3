package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/platform/timerwheel"
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
	// The expiry's timer first: a timer without its reservation is dropped
	// by the sweep, a reservation without its timer would never expire.
	if r.State == domain.StateReserved && !r.ExpiresAt.IsZero() {
		if err := s.expiries.Schedule(ctx, r.OrderID, r.ExpiresAt, r.CreatedAt); err != nil {
			return err
		}
	}
	if err := outbox.Insert(ctx, s.writer, s.relay, s.reservations, r.OrderID, toReservationDoc(r, entries), entries); err != nil {
		if mongodb.IsDuplicateKey(err) {
			return fmt.Errorf("reservation %s: %w: already recorded", r.OrderID, apperr.ErrConflict)
		}
		return wrap(err, "insert reservation %s", r.OrderID)
	}
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
	matched, err := outbox.Update(ctx, s.writer, s.relay, s.reservations, orderID,
		bson.M{"state": bson.M{"$in": states}}, bson.M{"$set": set}, entries)
	if err != nil {
		return false, wrap(err, "reservation %s to %s", orderID, to)
	}
	return matched, nil
}

// DueForRelease lists up to limit reservations whose hold has expired
// (reserved, expires_at before now) or whose release was left unfinished.
// It reads only the expiry timers that are due (see timerwheel), never the
// whole collection.
func (s *Store) DueForRelease(ctx context.Context, now time.Time, limit int64) ([]domain.Reservation, error) {
	var due []domain.Reservation
	_, err := s.expiries.Due(ctx, now, int(limit), func(ctx context.Context, id string) (timerwheel.Verdict, time.Time, error) {
		r, err := s.Reservation(ctx, id)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			return timerwheel.Drop, time.Time{}, nil
		case err != nil:
			return 0, time.Time{}, err
		case r.State != domain.StateReserved && r.State != domain.StateReleasing:
			return timerwheel.Drop, time.Time{}, nil
		case !r.ExpiresAt.Before(now):
			return timerwheel.Later, r.ExpiresAt.Add(time.Millisecond), nil
		}
		due = append(due, r)
		return timerwheel.Fire, time.Time{}, nil
	})
	return due, err
}

// backfillExpiries files the expiry of every live reservation stored before
// the expiry timers existed: one read of the whole collection, once.
func (s *Store) backfillExpiries(ctx context.Context) error {
	cur, err := s.readReserved.Find(ctx, bson.M{
		"state": bson.M{"$in": []string{string(domain.StateReserved), string(domain.StateReleasing)}},
	})
	if err != nil {
		return wrap(err, "find live reservations")
	}
	var docs []reservationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return wrap(err, "find live reservations")
	}
	for _, d := range docs {
		r := d.reservation()
		if err := s.expiries.Schedule(ctx, r.OrderID, r.ExpiresAt, r.ExpiresAt); err != nil {
			return err
		}
	}
	return nil
}
