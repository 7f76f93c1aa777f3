package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// Limits of a review.
const (
	MinRating        = 1
	MaxRating        = 5
	MaxReviewTextLen = 2000
)

// The review errors.
var (
	// ErrNotEligible is a review by a shopper who has no shipped purchase
	// of the product; it matches apperr.ErrForbidden (403, code forbidden).
	ErrNotEligible = fmt.Errorf("%w: only a shopper who received this product (its order shipped) may review it", apperr.ErrForbidden)
	// ErrAlreadyReviewed is a second review of one product by one shopper;
	// it matches apperr.ErrConflict.
	ErrAlreadyReviewed = fmt.Errorf("%w: you already reviewed this product", apperr.ErrConflict)
	// ErrAlreadyReplied is a second reply to one review; it matches
	// apperr.ErrConflict.
	ErrAlreadyReplied = fmt.Errorf("%w: this review already has a reply", apperr.ErrConflict)
	// ErrReviewNotFound is a review that does not exist or is not of the
	// product named; it matches apperr.ErrNotFound.
	ErrReviewNotFound = fmt.Errorf("%w: review not found", apperr.ErrNotFound)
)

// Rating is a product's rating aggregate: the sum and the number of the
// ratings of its reviews, each counted once.
type Rating struct {
	Sum   int64
	Count int64
}

// Average is Sum/Count rounded to two decimals; 0 without ratings.
func (r Rating) Average() float64 {
	if r.Count == 0 {
		return 0
	}
	return math.Round(float64(r.Sum)*100/float64(r.Count)) / 100
}

// Reply is a merchant's answer to a review.
type Reply struct {
	Text      string
	CreatedAt time.Time
}

// Review is a shopper's rating and text of a product, at most one per
// shopper and product (its ID is derived from the pair, ReviewID).
type Review struct {
	ID        string
	ProductID string
	ShopperID string
	Rating    int64
	// Text is stored as given (trimmed); clients render it as text.
	Text      string
	CreatedAt time.Time
	// Reply is the owner merchant's answer; nil until there is one.
	Reply *Reply
	// Pending is true until the review is counted in the product's
	// rating and listed; whoever finds it pending finishes it.
	Pending bool
}

// ReviewID is the id of shopperID's review of productID: derived from the
// pair, so a second review is the same document (at most one per pair),
// and opaque, so the public id does not name the shopper.
func ReviewID(productID, shopperID string) string {
	sum := sha256.Sum256([]byte(productID + "\x00" + shopperID))
	return hex.EncodeToString(sum[:16])
}

// ValidReviewID reports whether id has the form of a ReviewID.
func ValidReviewID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

// ReviewInput is a review as the shopper sent it.
type ReviewInput struct {
	Rating int64
	Text   string
}

// NewReview validates in and builds shopperID's review of productID: a
// rating of MinRating to MaxRating and a text of 1 to MaxReviewTextLen
// characters (trimmed; line breaks and tabs allowed, other control
// characters refused). Problems are an *apperr.ValidationError.
func NewReview(productID, shopperID string, in ReviewInput, now time.Time) (Review, error) {
	v := &apperr.ValidationError{}
	if in.Rating < MinRating || in.Rating > MaxRating {
		v.Add("rating", "must be an integer from "+strconv.Itoa(MinRating)+" to "+strconv.Itoa(MaxRating))
	}
	text, msg := reviewText(in.Text)
	if msg != "" {
		v.Add("text", msg)
	}
	if err := v.Err(); err != nil {
		return Review{}, err
	}
	return Review{
		ID: ReviewID(productID, shopperID), ProductID: productID, ShopperID: shopperID,
		Rating: in.Rating, Text: text, CreatedAt: now, Pending: true,
	}, nil
}

// NewReply validates a merchant's reply text (the rules of a review's).
func NewReply(text string, now time.Time) (Reply, error) {
	t, msg := reviewText(text)
	if msg != "" {
		return Reply{}, apperr.Validation(apperr.FieldError{Field: "text", Message: msg})
	}
	return Reply{Text: t, CreatedAt: now}, nil
}

// reviewText trims s and says what is wrong with it, if anything.
func reviewText(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", "must be valid UTF-8"
	case s == "":
		return "", "is required"
	case utf8.RuneCountInString(s) > MaxReviewTextLen:
		return "", "must be at most " + strconv.Itoa(MaxReviewTextLen) + " characters"
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		return "", "must not contain control characters other than line breaks and tabs"
	}
	return s, ""
}

// PurchaseID is the id of the fact that shopperID received productID (an
// order of it shipped): one per pair, whatever the number of orders.
func PurchaseID(shopperID, productID string) string { return shopperID + "|" + productID }
