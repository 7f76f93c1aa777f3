package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// RatingJSON is a product's rating: the average of its reviews' ratings
// (two decimals, 0 without reviews) and their number.
type RatingJSON struct {
	Average float64 `json:"average"`
	Count   int64   `json:"count"`
}

// ReplyJSON is a merchant's reply to a review.
type ReplyJSON struct {
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// ReviewJSON is a review as anyone sees it. Texts are the shopper's and
// the merchant's as given: clients must render them as text, never as
// markup. The shopper is not named.
type ReviewJSON struct {
	ID        string     `json:"id"`
	ProductID string     `json:"product_id"`
	Rating    int64      `json:"rating"`
	Text      string     `json:"text"`
	CreatedAt time.Time  `json:"created_at"`
	Reply     *ReplyJSON `json:"reply"`
}

// reviewRequest is the body of POST /api/v1/products/{id}/reviews.
type reviewRequest struct {
	Rating int64  `json:"rating"`
	Text   string `json:"text"`
}

// replyRequest is the body of POST .../reviews/{review_id}/reply.
type replyRequest struct {
	Text string `json:"text"`
}

type reviewListResponse struct {
	Items      []ReviewJSON `json:"items"`
	NextCursor string       `json:"next_cursor"`
}

func newRating(r domain.Rating) RatingJSON {
	return RatingJSON{Average: r.Average(), Count: r.Count}
}

func newReviewJSON(r domain.Review) ReviewJSON {
	out := ReviewJSON{ID: r.ID, ProductID: r.ProductID, Rating: r.Rating, Text: r.Text, CreatedAt: r.CreatedAt}
	if r.Reply != nil {
		out.Reply = &ReplyJSON{Text: r.Reply.Text, CreatedAt: r.Reply.CreatedAt}
	}
	return out
}

// listReviews serves GET /api/v1/products/{id}/reviews: newest first,
// limit (1-100, default 20) and the opaque cursor of the previous page.
func (h *Handlers) listReviews(c *gin.Context) {
	values := c.Request.URL.Query()
	v := &apperr.ValidationError{}
	limit := domain.ParseLimit(v, values)
	after := values.Get("cursor")
	if after != "" && !domain.ValidReviewID(after) {
		v.Add("cursor", "is not a cursor this service issued")
	}
	if err := v.Err(); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	page, next, err := h.svc.Reviews(c, c.Param("id"), after, limit)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	out := reviewListResponse{Items: make([]ReviewJSON, len(page)), NextCursor: next}
	for i, r := range page {
		out.Items[i] = newReviewJSON(r)
	}
	c.JSON(http.StatusOK, out)
}

// postReview serves POST /api/v1/products/{id}/reviews for a shopper.
func (h *Handlers) postReview(c *gin.Context) {
	var req reviewRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	caller, _ := auth.CallerFrom(c) // Require ran before
	r, err := h.svc.PostReview(c, caller.UserID, c.Param("id"), domain.ReviewInput(req))
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, newReviewJSON(r))
}

// replyToReview serves POST /api/v1/merchant/products/{id}/reviews/{review_id}/reply.
func (h *Handlers) replyToReview(c *gin.Context) {
	var req replyRequest
	if err := httpserver.BindJSON(c, &req); err != nil {
		httpserver.WriteError(c, err)
		return
	}
	r, err := h.svc.Reply(c, merchantID(c), c.Param("id"), c.Param("review_id"), req.Text)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, newReviewJSON(r))
}
