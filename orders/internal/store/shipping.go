package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

// Rates stores one shipping rate table per merchant (_id = merchant id).
type Rates struct {
	read   *mongo.Collection
	write  *mongo.Collection
	writer *mongodb.Writer
}

type bandDoc struct {
	FromGrams int64 `bson:"from_grams"`
	ToGrams   int64 `bson:"to_grams,omitempty"`
	Amount    int64 `bson:"amount"`
}

type ratesDoc struct {
	ID        string    `bson:"_id"`
	Kind      string    `bson:"kind"`
	Currency  string    `bson:"currency"`
	Amount    int64     `bson:"amount"`
	FreeAbove int64     `bson:"free_above"`
	Bands     []bandDoc `bson:"bands"`
	UpdatedAt time.Time `bson:"updated_at"`
}

func (d ratesDoc) domain() domain.ShippingRates {
	r := domain.ShippingRates{MerchantID: d.ID, Kind: domain.RateKind(d.Kind), Currency: d.Currency, Amount: d.Amount,
		FreeAbove: d.FreeAbove, UpdatedAt: d.UpdatedAt.UTC()}
	for _, b := range d.Bands {
		r.Bands = append(r.Bands, domain.WeightBand{FromGrams: b.FromGrams, ToGrams: b.ToGrams, Amount: b.Amount})
	}
	return r
}

// Get reads a merchant's rate table; a merchant without one is
// apperr.ErrNotFound.
func (s *Rates) Get(ctx context.Context, merchantID string) (domain.ShippingRates, error) {
	var doc ratesDoc
	if err := s.read.FindOne(ctx, bson.M{"_id": merchantID}).Decode(&doc); err != nil {
		return domain.ShippingRates{}, mongodb.Translate(err, "find shipping rates of "+merchantID)
	}
	return doc.domain(), nil
}

// Of reads the rate tables of merchantIDs (one lookup by _id each); a
// merchant without one is absent from the map.
func (s *Rates) Of(ctx context.Context, merchantIDs []string) (map[string]domain.ShippingRates, error) {
	out := map[string]domain.ShippingRates{}
	for _, id := range merchantIDs {
		r, err := s.Get(ctx, id)
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = r
	}
	return out, nil
}

// Put sets a merchant's rate table, replacing the one it had.
func (s *Rates) Put(ctx context.Context, r domain.ShippingRates) error {
	bands := []bandDoc{}
	for _, b := range r.Bands {
		bands = append(bands, bandDoc(b))
	}
	set := bson.M{"kind": string(r.Kind), "currency": r.Currency, "amount": r.Amount, "free_above": r.FreeAbove,
		"bands": bands, "updated_at": r.UpdatedAt}
	_, err := s.writer.UpdateOne(ctx, s.write, r.MerchantID, nil, bson.M{"$set": set}, true)
	return mongodb.Translate(err, "put shipping rates of "+r.MerchantID)
}

// Delete removes a merchant's rate table (it ships for free again); a
// merchant without one is apperr.ErrNotFound.
func (s *Rates) Delete(ctx context.Context, merchantID string) error {
	ok, err := s.writer.DeleteOne(ctx, s.write, merchantID, nil)
	if err != nil {
		return mongodb.Translate(err, "delete shipping rates of "+merchantID)
	}
	if !ok {
		return fmt.Errorf("%w: merchant %s has no shipping rates", apperr.ErrNotFound, merchantID)
	}
	return nil
}
