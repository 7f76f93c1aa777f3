// Package usersclient reads shoppers' default shipping addresses from the
// users service over HTTP, through a circuit breaker (docs/architecture.md):
// orders asks it at checkout when the shopper sent no shipping address,
// forwarding the shopper's own access token.
package usersclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/breaker"
)

// unavailableRetryAfter is the Retry-After hint of a failed call whose
// breaker is still closed (as platform/breaker gives it).
const unavailableRetryAfter = time.Second

// maxBody bounds the address answer read.
const maxBody = 64 << 10

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
	http    *breaker.Client
	name    string
	timeout time.Duration
}

// New returns a client of the users service at baseURL.
func New(baseURL string, opts breaker.Options) *Client {
	if opts.Name == "" {
		opts.Name = "users"
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = breaker.DefaultTimeout
	}
	return &Client{http: breaker.NewClient(baseURL, opts), name: opts.Name, timeout: timeout}
}

// DefaultAddress reads the default address of userID from users' internal
// route (GET /internal/v1/users/{id}/addresses/default), authorised by
// token, that user's own access token. A user with no address saved is
// apperr.ErrNotFound; a token users refuses is apperr.ErrUnauthorized; an
// unreachable or failing users service, or an open breaker, is an
// *apperr.RetryableError of kind apperr.ErrUnavailable (503 with
// Retry-After). The whole call is bounded by the breaker's Timeout.
func (c *Client) DefaultAddress(ctx context.Context, userID, token string) (domain.Address, error) {
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	path := "/internal/v1/users/" + url.PathEscape(userID) + "/addresses/default"
	req, err := c.http.NewRequest(callCtx, http.MethodGet, path, nil)
	if err != nil {
		return domain.Address{}, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		var open *apperr.RetryableError
		if errors.As(err, &open) || ctx.Err() != nil {
			return domain.Address{}, fmt.Errorf("default address of %s: %w", userID, err)
		}
		return domain.Address{}, c.unavailable(err)
	}
	defer resp.Body.Close()
	if err := c.statusError(resp); err != nil {
		return domain.Address{}, err
	}
	var a addressJSON
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&a); err != nil {
		if ctx.Err() == nil && callCtx.Err() != nil {
			return domain.Address{}, c.unavailable(fmt.Errorf("read default address of %s: %w", userID, err))
		}
		return domain.Address{}, fmt.Errorf("%s: decode default address of %s: %w", c.name, userID, err)
	}
	return a.address(), nil
}

// statusError maps a non-200 answer to an error. The texts of 404 and 401
// are safe to show to the shopper (they become problem details); the
// others keep the start of users' answer for the log.
func (c *Client) statusError(resp *http.Response) error {
	switch resp.StatusCode {
	case http.StatusOK:
		return nil
	case http.StatusNotFound:
		return fmt.Errorf("%w: no default address saved", apperr.ErrNotFound)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: missing, invalid or expired access token", apperr.ErrUnauthorized)
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	status := fmt.Errorf("%s: default address: status %d: %s", c.name, resp.StatusCode, snippet)
	switch {
	case resp.StatusCode >= http.StatusInternalServerError:
		return c.unavailable(status)
	default:
		return status
	}
}

func (c *Client) unavailable(cause error) error {
	return &apperr.RetryableError{Kind: apperr.ErrUnavailable, Detail: c.name + " unavailable",
		RetryAfter: unavailableRetryAfter, Err: cause}
}
