package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/listindex"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

// Discounts stores merchants' discount codes, one document per code
// (_id = merchant id + "/" + code) holding its settings, the count of its
// uses and the orders that hold them (claims, keyed by order id), and one
// document per code and shopper (_id = code id + "|" + shopper id) with the
// shopper's uses. A use is claimed by one conditional update of each
// document, idempotent per order: the claims say which orders hold one.
type Discounts struct {
	read     *mongo.Collection
	write    *mongo.Collection
	shoppers *mongo.Collection
	shopperW *mongo.Collection
	writer   *mongodb.Writer
	lists    *listindex.List // each merchant's codes
}

type discountDoc struct {
	ID              string            `bson:"_id"`
	MerchantID      string            `bson:"merchant_id"`
	Code            string            `bson:"code"`
	Kind            string            `bson:"kind"`
	Percent         int64             `bson:"percent,omitempty"`
	AmountOff       int64             `bson:"amount_off,omitempty"`
	Currency        string            `bson:"currency"`
	MinSubtotal     int64             `bson:"min_subtotal"`
	StartsAt        *time.Time        `bson:"starts_at,omitempty"`
	EndsAt          *time.Time        `bson:"ends_at,omitempty"`
	UsageLimit      int64             `bson:"usage_limit"`
	PerShopperLimit int64             `bson:"per_shopper_limit"`
	Used            int64             `bson:"used"`
	Claims          map[string]string `bson:"claims"`
	CreatedAt       time.Time         `bson:"created_at"`
	UpdatedAt       time.Time         `bson:"updated_at"`
}

// DiscountID is the document id of merchantID's code.
func DiscountID(merchantID, code string) string { return merchantID + "/" + code }

func discountKey(merchantID string) string { return "merchant:" + merchantID }

func (d discountDoc) domain() domain.Discount {
	return domain.Discount{MerchantID: d.MerchantID, Code: d.Code, Kind: domain.DiscountKind(d.Kind), Percent: d.Percent,
		AmountOff: d.AmountOff, Currency: d.Currency, MinSubtotal: d.MinSubtotal, StartsAt: fromOptionalTime(d.StartsAt),
		EndsAt: fromOptionalTime(d.EndsAt), UsageLimit: d.UsageLimit, PerShopperLimit: d.PerShopperLimit, Used: d.Used,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

// settings are the fields a merchant sets.
func settings(d domain.Discount) bson.M {
	set := bson.M{"kind": string(d.Kind), "percent": d.Percent, "amount_off": d.AmountOff, "currency": d.Currency,
		"min_subtotal": d.MinSubtotal, "usage_limit": d.UsageLimit, "per_shopper_limit": d.PerShopperLimit,
		"updated_at": d.UpdatedAt}
	if !d.StartsAt.IsZero() {
		set["starts_at"] = d.StartsAt
	}
	if !d.EndsAt.IsZero() {
		set["ends_at"] = d.EndsAt
	}
	return set
}

// Create stores a new code; one the merchant already has is
// apperr.ErrConflict.
func (s *Discounts) Create(ctx context.Context, d domain.Discount) error {
	id := DiscountID(d.MerchantID, d.Code)
	if _, err := s.Get(ctx, d.MerchantID, d.Code); err == nil {
		return fmt.Errorf("%w: code %s exists", apperr.ErrConflict, d.Code)
	}
	// Listed first: an entry without its code is skipped by List.
	if err := s.lists.Add(ctx, discountKey(d.MerchantID), id, d.CreatedAt); err != nil {
		return err
	}
	doc := discountDoc{ID: id, MerchantID: d.MerchantID, Code: d.Code, Kind: string(d.Kind), Percent: d.Percent,
		AmountOff: d.AmountOff, Currency: d.Currency, MinSubtotal: d.MinSubtotal, StartsAt: optionalTime(d.StartsAt),
		EndsAt: optionalTime(d.EndsAt), UsageLimit: d.UsageLimit, PerShopperLimit: d.PerShopperLimit,
		Claims: map[string]string{}, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if _, err := s.write.InsertOne(ctx, doc); err != nil {
		return mongodb.Translate(err, "insert code "+id)
	}
	return nil
}

// Update replaces a code's settings; its uses stay. A missing code is
// apperr.ErrNotFound.
func (s *Discounts) Update(ctx context.Context, d domain.Discount) error {
	id := DiscountID(d.MerchantID, d.Code)
	update := bson.M{"$set": settings(d)}
	unset := bson.M{}
	if d.StartsAt.IsZero() {
		unset["starts_at"] = ""
	}
	if d.EndsAt.IsZero() {
		unset["ends_at"] = ""
	}
	if len(unset) > 0 {
		update["$unset"] = unset
	}
	ok, err := s.writer.UpdateOne(ctx, s.write, id, nil, update, false)
	if err != nil {
		return mongodb.Translate(err, "update code "+id)
	}
	if !ok {
		return fmt.Errorf("%w: code %s", apperr.ErrNotFound, d.Code)
	}
	return nil
}

// Get reads one of merchantID's codes; a missing one is apperr.ErrNotFound.
func (s *Discounts) Get(ctx context.Context, merchantID, code string) (domain.Discount, error) {
	var doc discountDoc
	id := DiscountID(merchantID, code)
	err := s.read.FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(bson.M{"claims": 0})).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.Discount{}, fmt.Errorf("%w: code %s", apperr.ErrNotFound, code)
	}
	if err != nil {
		return domain.Discount{}, mongodb.Translate(err, "find code "+id)
	}
	return doc.domain(), nil
}

// Delete removes one of merchantID's codes; orders that used it keep their
// discount. A missing code is apperr.ErrNotFound.
func (s *Discounts) Delete(ctx context.Context, merchantID, code string) error {
	ok, err := s.writer.DeleteOne(ctx, s.write, DiscountID(merchantID, code), nil)
	if err != nil {
		return mongodb.Translate(err, "delete code "+code)
	}
	if !ok {
		return fmt.Errorf("%w: code %s", apperr.ErrNotFound, code)
	}
	return nil
}

// List reads up to limit of merchantID's codes, newest first, after the
// code after ("" for the first page): a few lookups by _id.
func (s *Discounts) List(ctx context.Context, merchantID, after string, limit int) ([]domain.Discount, error) {
	cursor := ""
	if after != "" {
		cursor = DiscountID(merchantID, after)
	}
	var out []domain.Discount
	seen := map[string]bool{}
	for len(out) < limit {
		items, err := s.lists.Page(ctx, discountKey(merchantID), cursor, limit-len(out))
		if err != nil || len(items) == 0 {
			return out, err
		}
		for _, it := range items {
			code := strings.TrimPrefix(it.ID, merchantID+"/")
			if seen[code] {
				continue
			}
			seen[code] = true
			d, err := s.Get(ctx, merchantID, code)
			if errors.Is(err, apperr.ErrNotFound) {
				continue // deleted
			}
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		cursor = items[len(items)-1].ID
	}
	return out, nil
}

func shopperUseID(merchantID, code, shopperID string) string {
	return DiscountID(merchantID, code) + "|" + shopperID
}

type shopperUsesDoc struct {
	N int64 `bson:"n"`
}

// ShopperUses counts the uses shopperID holds of merchantID's code.
func (s *Discounts) ShopperUses(ctx context.Context, merchantID, code, shopperID string) (int64, error) {
	var doc shopperUsesDoc
	id := shopperUseID(merchantID, code, shopperID)
	err := s.shoppers.FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(bson.M{"n": 1})).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, mongodb.Translate(err, "find uses "+id)
	}
	return doc.N, nil
}

// Claim takes one use of d for orderID of shopperID: first the shopper's
// (guarded by d's per-shopper limit), then the code's (guarded by its
// usage limit), each one conditional update of one document that records
// the order, so claiming again for the same order changes nothing. fresh
// tells that this call took the code's use (a release undoes only that).
// A limit reached is a *domain.Problem (discount_exhausted,
// discount_shopper_limit_reached); a deleted code is discount_unknown.
func (s *Discounts) Claim(ctx context.Context, d domain.Discount, orderID, shopperID string) (fresh bool, err error) {
	if err := checkKey(orderID); err != nil {
		return false, err
	}
	shopperFresh := false
	if d.PerShopperLimit > 0 {
		if shopperFresh, err = s.claimShopper(ctx, d, orderID, shopperID); err != nil {
			return false, err
		}
	}
	fresh, err = s.claimCode(ctx, d, orderID, shopperID)
	if err != nil && shopperFresh {
		if rerr := s.releaseShopper(ctx, d.MerchantID, d.Code, orderID, shopperID); rerr != nil {
			return false, rerr
		}
	}
	return fresh, err
}

// maxClaimAttempts bounds the claims retried because the merchant changed
// the code's usage limit meanwhile.
const maxClaimAttempts = 3

// claimCode takes the code's use of d for orderID, guarded by the usage
// limit as stored: a claim judged against a limit the merchant has changed
// since is tried again with the new one.
func (s *Discounts) claimCode(ctx context.Context, d domain.Discount, orderID, shopperID string) (bool, error) {
	id := DiscountID(d.MerchantID, d.Code)
	limit := d.UsageLimit
	for range maxClaimAttempts {
		guard := bson.M{"claims." + orderID: bson.M{"$exists": false}, "usage_limit": limit}
		if limit > 0 {
			guard["used"] = bson.M{"$lt": limit}
		}
		update := bson.M{"$inc": bson.M{"used": int64(1)}, "$set": bson.M{"claims." + orderID: shopperID}}
		ok, err := s.writer.UpdateOne(ctx, s.write, id, guard, update, false)
		if err != nil {
			return false, mongodb.Translate(err, "claim code "+id)
		}
		if ok {
			return true, nil
		}
		var doc struct {
			UsageLimit int64             `bson:"usage_limit"`
			Claims     map[string]string `bson:"claims"`
		}
		proj := bson.M{"usage_limit": 1, "claims." + orderID: 1}
		err = s.read.FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(proj)).Decode(&doc)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			return false, &domain.Problem{Code: domain.CodeDiscountUnknown, Message: "code " + d.Code + " no longer exists"}
		case err != nil:
			return false, mongodb.Translate(err, "find code "+id)
		case doc.Claims[orderID] != "":
			return false, nil // this order holds its use already
		case doc.UsageLimit == limit:
			return false, &domain.Problem{Code: domain.CodeDiscountExhausted, Message: "code " + d.Code + " has been used up"}
		}
		limit = doc.UsageLimit
	}
	return false, fmt.Errorf("%w: code %s keeps changing; try again", apperr.ErrConflict, d.Code)
}

// claimShopper takes the shopper's use of d for orderID.
func (s *Discounts) claimShopper(ctx context.Context, d domain.Discount, orderID, shopperID string) (bool, error) {
	id := shopperUseID(d.MerchantID, d.Code, shopperID)
	// The document exists before its guarded update (an upsert takes no guard).
	exists := bson.M{"$setOnInsert": bson.M{"n": int64(0), "orders": bson.M{}}}
	if _, err := s.writer.UpdateOne(ctx, s.shopperW, id, nil, exists, true); err != nil {
		return false, mongodb.Translate(err, "create uses "+id)
	}
	guard := bson.M{"n": bson.M{"$lt": d.PerShopperLimit}, "orders." + orderID: bson.M{"$exists": false}}
	update := bson.M{"$inc": bson.M{"n": int64(1)}, "$set": bson.M{"orders." + orderID: true}}
	ok, err := s.writer.UpdateOne(ctx, s.shopperW, id, guard, update, false)
	if err != nil || ok {
		return ok, mongodb.Translate(err, "claim uses "+id)
	}
	var doc struct {
		Orders map[string]bool `bson:"orders"`
	}
	if err := s.shoppers.FindOne(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
		return false, mongodb.Translate(err, "find uses "+id)
	}
	if doc.Orders[orderID] {
		return false, nil
	}
	return false, &domain.Problem{Code: domain.CodeDiscountShopperLimit,
		Message: fmt.Sprintf("code %s can be used at most %d times per shopper", d.Code, d.PerShopperLimit)}
}

// Release gives back the use orderID holds of merchantID's code, the
// code's and the shopper's; releasing again (a redelivered cancel)
// changes nothing.
func (s *Discounts) Release(ctx context.Context, merchantID, code, orderID, shopperID string) error {
	if err := checkKey(orderID); err != nil {
		return err
	}
	id := DiscountID(merchantID, code)
	guard := bson.M{"claims." + orderID: bson.M{"$exists": true}}
	update := bson.M{"$inc": bson.M{"used": int64(-1)}, "$unset": bson.M{"claims." + orderID: ""}}
	if _, err := s.writer.UpdateOne(ctx, s.write, id, guard, update, false); err != nil {
		return mongodb.Translate(err, "release code "+id)
	}
	return s.releaseShopper(ctx, merchantID, code, orderID, shopperID)
}

func (s *Discounts) releaseShopper(ctx context.Context, merchantID, code, orderID, shopperID string) error {
	id := shopperUseID(merchantID, code, shopperID)
	guard := bson.M{"orders." + orderID: bson.M{"$exists": true}}
	update := bson.M{"$inc": bson.M{"n": int64(-1)}, "$unset": bson.M{"orders." + orderID: ""}}
	_, err := s.writer.UpdateOne(ctx, s.shopperW, id, guard, update, false)
	return mongodb.Translate(err, "release uses "+id)
}

// checkKey refuses an id that cannot be a field name (order ids are UUIDs).
func checkKey(id string) error {
	if id == "" || strings.ContainsAny(id, ".$") {
		return fmt.Errorf("%w: order id %q cannot key a claim", apperr.ErrValidation, id)
	}
	return nil
}
