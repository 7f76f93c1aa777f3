package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
)

// RecordShipment records, for each product of a shipped order's lines,
// that shopperID received it: what makes the shopper eligible to review
// it. Idempotent (one fact per shopper and product), so a redelivered
// order.shipped changes nothing. An event without a shopper (from a
// producer older than the field) records nothing. Reviews are per product:
// a line of a variant makes the shopper eligible to review its parent.
func (s *Service) RecordShipment(ctx context.Context, shopperID, orderID string, productIDs []string, shippedAt time.Time) error {
	if shopperID == "" {
		s.log.WarnContext(ctx, "order.shipped without shopper_id: no review eligibility recorded", "order_id", orderID)
		return nil
	}
	seen := map[string]bool{}
	for _, id := range productIDs {
		target, err := s.reviewed(ctx, id)
		if err != nil {
			return err
		}
		if seen[target] {
			continue
		}
		seen[target] = true
		if err := s.store.RecordPurchase(ctx, shopperID, target, orderID, shippedAt); err != nil {
			return err
		}
	}
	return nil
}

// PostReview validates in and stores shopperID's review of productID,
// counted once in the product's rating (product.updated) and listed first
// among its reviews. The product must be visible (else not found) and the
// shopper must have received it (else domain.ErrNotEligible); a second
// review is domain.ErrAlreadyReviewed.
//
// The review and the rating are two documents, so the review is stored
// first, pending, and then finished: its rating is added to the product in
// one write guarded by the review's mark on the product (CountReview), it
// is listed, and it is marked finished. A crash in between leaves it
// pending; the shopper's next attempt (a 409) finishes it, and finishing
// twice counts once. A review of a variant is a review of its parent.
func (s *Service) PostReview(ctx context.Context, shopperID, productID string, in domain.ReviewInput) (domain.Review, error) {
	productID, err := s.reviewed(ctx, productID)
	if err != nil {
		return domain.Review{}, err
	}
	r, err := domain.NewReview(productID, shopperID, in, s.now())
	if err != nil {
		return domain.Review{}, err
	}
	if err := s.visibleProduct(productID); err != nil {
		return domain.Review{}, err
	}
	eligible, err := s.store.HasPurchase(ctx, shopperID, productID)
	if err != nil {
		return domain.Review{}, err
	}
	if !eligible {
		return domain.Review{}, domain.ErrNotEligible
	}
	err = s.store.InsertReview(ctx, r)
	if errors.Is(err, domain.ErrAlreadyReviewed) {
		existing, readErr := s.store.Review(ctx, r.ID)
		if readErr == nil && existing.Pending {
			if err := s.finishReview(ctx, existing); err != nil {
				return domain.Review{}, err
			}
		}
		return domain.Review{}, err
	}
	if err != nil {
		return domain.Review{}, err
	}
	if err := s.finishReview(ctx, r); err != nil {
		return domain.Review{}, err
	}
	r.Pending = false
	return r, nil
}

// finishReview counts r in its product's rating (once), lists it and
// marks it finished.
func (s *Service) finishReview(ctx context.Context, r domain.Review) error {
	now := s.now()
	p, _, err := s.store.Product(ctx, r.ProductID, "")
	if err != nil {
		return err
	}
	// The event's snapshot is the product as read plus this rating; a
	// reservation racing the write makes it slightly old, which followers
	// do not mind: they read the product again by _id.
	next := p
	next.Rating.Sum += r.Rating
	next.Rating.Count++
	next.Version++
	next.UpdatedAt = now
	entry, err := s.productEvent(ctx, events.TypeProductUpdated, next)
	if err != nil {
		return err
	}
	counted, ok, err := s.store.CountReview(ctx, r.ProductID, r.ID, r.Rating, now, entry)
	if err != nil {
		return err
	}
	if ok {
		s.model.Apply(counted)
	}
	if err := s.store.ListReview(ctx, r.ProductID, r.ID, r.CreatedAt); err != nil {
		return err
	}
	return s.store.FinishReview(ctx, r.ID)
}

// Reviews returns up to limit reviews of a visible product, newest first,
// after review after (empty: from the newest), and the cursor of the next
// page ("" when this is the last). A variant's reviews are its parent's.
func (s *Service) Reviews(ctx context.Context, productID, after string, limit int) ([]domain.Review, string, error) {
	productID, err := s.reviewed(ctx, productID)
	if err != nil {
		return nil, "", err
	}
	if err := s.visibleProduct(productID); err != nil {
		return nil, "", err
	}
	page, err := s.store.ReviewPage(ctx, productID, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	if len(page) <= limit {
		return page, "", nil
	}
	page = page[:limit]
	return page, page[limit-1].ID, nil
}

// Reply stores merchantID's reply to review reviewID of its product
// productID, once (a second is domain.ErrAlreadyReplied). Another
// merchant's product, or a review of another product, is not found.
func (s *Service) Reply(ctx context.Context, merchantID, productID, reviewID, text string) (domain.Review, error) {
	reply, err := domain.NewReply(text, s.now())
	if err != nil {
		return domain.Review{}, err
	}
	if _, err := s.store.OwnedProduct(ctx, merchantID, productID); err != nil {
		return domain.Review{}, err
	}
	if !domain.ValidReviewID(reviewID) {
		return domain.Review{}, domain.ErrReviewNotFound
	}
	r, err := s.store.Review(ctx, reviewID)
	if err != nil {
		return domain.Review{}, err
	}
	if r.ProductID != productID {
		return domain.Review{}, domain.ErrReviewNotFound
	}
	ok, err := s.store.SetReply(ctx, reviewID, reply)
	if err != nil {
		return domain.Review{}, err
	}
	if !ok {
		return domain.Review{}, domain.ErrAlreadyReplied
	}
	r.Reply = &reply
	return r, nil
}

// visibleProduct checks that shoppers can see product id (the read model
// is current with this replica's writes and follows the others').
func (s *Service) visibleProduct(id string) error {
	if p, ok := s.model.Get(id); !ok || !p.Visible() {
		return fmt.Errorf("product %s: %w", id, apperr.ErrNotFound)
	}
	return nil
}
