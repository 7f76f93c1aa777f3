// Package usersclient reads shoppers' default shipping addresses from the
// users service over HTTP, through a circuit breaker (docs/architecture.md):
// orders asks it at checkout when the shopper sent no shipping address,
// forwarding the shopper's own access token.
package usersclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/breaker"
)

// addressJSON is a saved address as users renders it (users/internal/api
// addressResponse, pinned in contracts/users-address.json).
type addressJSON struct {
	ID         string `json:"id"`
	Default    bool   `json:"default"`
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

func (a addressJSON) address() domain.Address {
	return domain.Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region,
		PostalCode: a.PostalCode, Country: a.Country}
}

// Client calls the users service through its own circuit breaker.
type Client struct {
	http *breaker.Client
}

// New returns a client of the users service at baseURL.
func New(baseURL string, opts breaker.Options) *Client {
	if opts.Name == "" {
		opts.Name = "users"
	}
	return &Client{http: breaker.NewClient(baseURL, opts)}
}

// DefaultAddress reads the default address of userID from users' internal
// route (GET /internal/v1/users/{id}/addresses/default), authorised by
// token, that user's own access token. A user with no address saved is
// apperr.ErrNotFound; a token users refuses is apperr.ErrUnauthorized; an
// unreachable or failing users service, or an open breaker, is an
// *apperr.RetryableError of kind apperr.ErrUnavailable (503 with
// Retry-After). The whole call is bounded by the breaker's Timeout.
func (c *Client) DefaultAddress(ctx context.Context, userID, token string) (domain.Address, error) {
	var a addressJSON
	err := c.http.GetJSONAs(ctx, "/internal/v1/users/"+url.PathEscape(userID)+"/addresses/default", token, &a)
	var status *breaker.StatusError
	switch {
	case err == nil:
		return a.address(), nil
	case errors.Is(err, apperr.ErrNotFound):
		return domain.Address{}, fmt.Errorf("%w: no default address saved", apperr.ErrNotFound)
	case errors.As(err, &status) && status.StatusCode == http.StatusUnauthorized:
		return domain.Address{}, fmt.Errorf("%w: missing, invalid or expired access token", apperr.ErrUnauthorized)
	default:
		return domain.Address{}, fmt.Errorf("default address of %s: %w", userID, err)
	}
}
