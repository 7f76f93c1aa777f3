package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// Collections of the reviews. Every read and write is by _id: a review's
// _id is domain.ReviewID (one per product and shopper), a purchase's
// domain.PurchaseID, and a product's reviews, newest first, are a
// listindex list keyed by the product id.
const (
	ReviewsCollection     = "reviews"
	PurchasesCollection   = "purchases"
	ReviewListsCollection = "review_lists"
)

// RatedGrace is how long the mark of a counted review stays on its
// product before it may be pruned: far longer than a request that read
// the review as pending can still be running (see CountReview).
const RatedGrace = 24 * time.Hour

type reviewDoc struct {
	ID        string    `bson:"_id"`
	ProductID string    `bson:"product_id"`
	ShopperID string    `bson:"shopper_id"`
	Rating    int64     `bson:"rating"`
	Text      string    `bson:"text"`
	CreatedAt time.Time `bson:"created_at"`
	Reply     *replyDoc `bson:"reply,omitempty"`
	Pending   bool      `bson:"pending"`
}

type replyDoc struct {
	Text      string    `bson:"text"`
	CreatedAt time.Time `bson:"created_at"`
}

type purchaseDoc struct {
	ID        string    `bson:"_id"`
	ShopperID string    `bson:"shopper_id"`
	ProductID string    `bson:"product_id"`
	OrderID   string    `bson:"order_id"`
	ShippedAt time.Time `bson:"shipped_at"`
}

func (d reviewDoc) review() domain.Review {
	r := domain.Review{
		ID: d.ID, ProductID: d.ProductID, ShopperID: d.ShopperID, Rating: d.Rating, Text: d.Text,
		CreatedAt: d.CreatedAt.UTC(), Pending: d.Pending,
	}
	if d.Reply != nil {
		r.Reply = &domain.Reply{Text: d.Reply.Text, CreatedAt: d.Reply.CreatedAt.UTC()}
	}
	return r
}

// RecordPurchase records that shopperID received productID (orderID
// shipped). Idempotent: the fact's _id is the pair, and a second record of
// it (a redelivery, another order) changes nothing.
func (s *Store) RecordPurchase(ctx context.Context, shopperID, productID, orderID string, shippedAt time.Time) error {
	id := domain.PurchaseID(shopperID, productID)
	_, err := s.writer.UpdateOne(ctx, s.purchases, id, nil, bson.M{"$setOnInsert": purchaseDoc{
		ID: id, ShopperID: shopperID, ProductID: productID, OrderID: orderID, ShippedAt: shippedAt.UTC(),
	}}, true)
	return wrap(err, "record purchase %s", id)
}

// HasPurchase reports whether shopperID received productID.
func (s *Store) HasPurchase(ctx context.Context, shopperID, productID string) (bool, error) {
	err := s.readPurchases.FindOne(ctx, bson.M{"_id": domain.PurchaseID(shopperID, productID)}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, wrap(err, "read purchase")
	}
	return true, nil
}

// InsertReview stores a new review (pending). A review of the same
// product by the same shopper exists already: domain.ErrAlreadyReviewed.
func (s *Store) InsertReview(ctx context.Context, r domain.Review) error {
	_, err := s.reviews.InsertOne(ctx, reviewDoc{
		ID: r.ID, ProductID: r.ProductID, ShopperID: r.ShopperID, Rating: r.Rating, Text: r.Text,
		CreatedAt: r.CreatedAt.UTC(), Pending: true,
	})
	if mongodb.IsDuplicateKey(err) {
		return domain.ErrAlreadyReviewed
	}
	return wrap(err, "insert review %s", r.ID)
}

// Review reads review id; a missing one is domain.ErrReviewNotFound.
func (s *Store) Review(ctx context.Context, id string) (domain.Review, error) {
	var doc reviewDoc
	err := s.readReviews.FindOne(ctx, bson.M{"_id": id}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.Review{}, domain.ErrReviewNotFound
	}
	if err != nil {
		return domain.Review{}, wrap(err, "read review %s", id)
	}
	return doc.review(), nil
}

// CountReview adds rating to the rating aggregate of product productID
// once for review reviewID, with entries (its product.updated event) in
// the same write: the write's guard is that the product has no mark of the
// review, and it sets the mark. So however often it runs for a review
// (a retried request, two requests finishing one pending review), the
// review is counted once; reviews of different shoppers never conflict
// ($inc). ok=false when the review was counted already or there is no such
// product. Marks older than RatedGrace are pruned when enough gathered.
func (s *Store) CountReview(ctx context.Context, productID, reviewID string, rating int64, now time.Time, entries ...outbox.Entry) (domain.Product, bool, error) {
	what := "count review on " + productID
	update := bson.M{
		"$inc": bson.M{"rating.sum": rating, "rating.count": int64(1), "version": int64(1)},
		"$set": bson.M{"rated." + reviewID: now.UTC(), "updated_at": now.UTC()},
	}
	raw, ok, err := outbox.UpdateReturning(ctx, s.writer, s.relay, s.products, productID,
		bson.M{"rated." + reviewID: bson.M{"$exists": false}}, update, entries)
	if err != nil {
		return domain.Product{}, false, wrap(err, "%s", what)
	}
	if !ok {
		return domain.Product{}, false, nil
	}
	var doc productDoc
	if err := bson.Unmarshal(raw, &doc); err != nil {
		return domain.Product{}, false, wrap(err, "%s", what)
	}
	if err := s.pruneRated(ctx, doc, now.Add(-RatedGrace)); err != nil {
		return domain.Product{}, false, err
	}
	return doc.product(), true, nil
}

// pruneRated removes the marks on doc older than cutoff, when there are at
// least pruneAtLeast of them.
func (s *Store) pruneRated(ctx context.Context, doc productDoc, cutoff time.Time) error {
	unset := bson.M{}
	for id, at := range doc.Rated {
		if at.Before(cutoff) {
			unset["rated."+id] = ""
		}
	}
	if len(unset) < pruneAtLeast {
		return nil
	}
	_, err := s.writer.UpdateOne(ctx, s.products, doc.ID, nil, bson.M{"$unset": unset}, false)
	return wrap(err, "prune rated marks on %s", doc.ID)
}

// ListReview appends review id to the review list of productID, sorted at
// at. Listing one twice shows it once (listindex.Page).
func (s *Store) ListReview(ctx context.Context, productID, id string, at time.Time) error {
	return s.reviewLists.Add(ctx, productID, id, at)
}

// FinishReview records that review id is counted and listed.
func (s *Store) FinishReview(ctx context.Context, id string) error {
	_, err := s.writer.UpdateOne(ctx, s.reviews, id, nil, bson.M{"$set": bson.M{"pending": false}}, false)
	return wrap(err, "finish review %s", id)
}

// SetReply stores the reply to review id if it has none yet; ok=false
// when it has one (or there is no such review).
func (s *Store) SetReply(ctx context.Context, id string, reply domain.Reply) (bool, error) {
	ok, err := s.writer.UpdateOne(ctx, s.reviews, id, bson.M{"reply": bson.M{"$exists": false}},
		bson.M{"$set": bson.M{"reply": replyDoc{Text: reply.Text, CreatedAt: reply.CreatedAt.UTC()}}}, false)
	if err != nil {
		return false, wrap(err, "reply to review %s", id)
	}
	return ok, nil
}

// ReviewPage returns up to limit reviews of productID, newest first, after
// review after (empty: from the newest): a few list lookups and one lookup
// by _id per review. Pending reviews are included (they are stored, only
// their bookkeeping is unfinished).
func (s *Store) ReviewPage(ctx context.Context, productID, after string, limit int) ([]domain.Review, error) {
	items, err := s.reviewLists.Page(ctx, productID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("reviews of %s: %w", productID, err)
	}
	out := make([]domain.Review, 0, len(items))
	for _, it := range items {
		r, err := s.Review(ctx, it.ID)
		if errors.Is(err, apperr.ErrNotFound) {
			continue // listed before a write that did not happen
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
