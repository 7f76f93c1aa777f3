package breaker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sony/gobreaker"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// unavailableRetryAfter is the Retry-After hint of a failed call whose
// breaker is still closed.
const unavailableRetryAfter = time.Second

// maxErrorBody is how much of an error response StatusError keeps.
const maxErrorBody = 512

// Client calls one upstream service through its own circuit breaker.
type Client struct {
	baseURL   string
	transport *Transport
	http      *http.Client
}

// NewClient returns a client for the service at baseURL (such as
// "http://127.0.0.1:8082") whose calls go through a breaker built from opts.
func NewClient(baseURL string, opts Options) *Client {
	t := NewTransport(nil, opts)
	return &Client{
		baseURL:   strings.TrimRight(baseURL, "/"),
		transport: t,
		http:      &http.Client{Transport: t},
	}
}

// State is the state of the client's breaker.
func (c *Client) State() gobreaker.State { return c.transport.State() }

// NewRequest builds a request for path (such as "/api/v1/products/42")
// relative to the base URL.
func (c *Client) NewRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s: build %s %s: %w", c.transport.Name(), method, path, err)
	}
	return req, nil
}

// Do sends req through the breaker. The response is not interpreted: a 5xx
// is returned as a response (and counted as a failure). Only the breaker's
// deadline on the response headers applies; bound the whole call with req's
// context. An open breaker gives an *apperr.RetryableError.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		var open *apperr.RetryableError
		if errors.As(err, &open) {
			return nil, open
		}
		return nil, fmt.Errorf("%s: %w", c.transport.Name(), err)
	}
	return resp, nil
}

// GetJSON fetches path and decodes the JSON body into dst (nil discards it).
// See DoJSON for the errors.
func (c *Client) GetJSON(ctx context.Context, path string, dst any) error {
	return c.DoJSON(ctx, http.MethodGet, path, nil, dst)
}

// DoJSON sends body (nil for none) as JSON and decodes a 2xx response into
// dst (nil discards it). The whole call, body included, is bounded by the
// breaker's Timeout. Errors: 404 wraps apperr.ErrNotFound; another 4xx is a
// *StatusError; a 5xx, a network error, a timeout or an open breaker is an
// *apperr.RetryableError of kind apperr.ErrUnavailable; a canceled ctx
// gives ctx's error.
func (c *Client) DoJSON(ctx context.Context, method, path string, body, dst any) error {
	return c.doJSON(ctx, method, path, "", body, dst)
}

// GetJSONAs is GetJSON on behalf of the caller whose access token is
// token, sent as the bearer (e.g. orders reading a shopper's own address
// book from users). A refused token is a *StatusError with StatusCode 401.
func (c *Client) GetJSONAs(ctx context.Context, path, token string, dst any) error {
	return c.doJSON(ctx, http.MethodGet, path, token, nil, dst)
}

func (c *Client) doJSON(ctx context.Context, method, path, token string, body, dst any) error {
	callCtx, cancel := context.WithTimeout(ctx, c.transport.opts.Timeout)
	defer cancel()

	var reqBody io.Reader
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s: encode %s %s: %w", c.transport.Name(), method, path, err)
		}
		reqBody = bytes.NewReader(encoded)
	}
	req, err := c.NewRequest(callCtx, method, path, reqBody)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return c.callError(ctx, err)
	}
	defer resp.Body.Close()
	if err := c.statusError(req, resp); err != nil {
		return err
	}
	if dst == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
		if ctx.Err() == nil && callCtx.Err() != nil {
			return c.unavailable(fmt.Errorf("read %s %s: %w", method, path, err))
		}
		return fmt.Errorf("%s: decode %s %s: %w", c.transport.Name(), method, path, err)
	}
	return nil
}

// callError classifies a failed round trip.
func (c *Client) callError(callerCtx context.Context, err error) error {
	var open *apperr.RetryableError
	switch {
	case errors.As(err, &open):
		return open
	case callerCtx.Err() != nil:
		return fmt.Errorf("%s: %w", c.transport.Name(), err)
	default:
		return c.unavailable(err)
	}
}

func (c *Client) unavailable(cause error) error {
	return &apperr.RetryableError{
		Kind:       apperr.ErrUnavailable,
		Detail:     c.transport.Name() + " unavailable",
		RetryAfter: unavailableRetryAfter,
		Err:        cause,
	}
}

// statusError maps a non-2xx response to an error.
func (c *Client) statusError(req *http.Request, resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	statusErr := &StatusError{
		Method:     req.Method,
		URL:        req.URL.String(),
		StatusCode: resp.StatusCode,
		Body:       string(snippet),
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%s: %w: %w", c.transport.Name(), apperr.ErrNotFound, statusErr)
	case resp.StatusCode >= http.StatusInternalServerError:
		return c.unavailable(statusErr)
	default:
		return statusErr
	}
}

// StatusError is an upstream response with an unexpected status.
type StatusError struct {
	Method     string
	URL        string
	StatusCode int
	Body       string // the start of the response body
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.Method, e.URL, e.StatusCode, e.Body)
}
