package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// api calls Mercato's public API through the gateway.
type api struct {
	base string
	http *http.Client
}

func newAPI(gatewayURL string, concurrency int) *api {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = concurrency * 2
	return &api{
		base: strings.TrimRight(gatewayURL, "/"),
		http: &http.Client{Timeout: 30 * time.Second, Transport: transport},
	}
}

// statusError is an answer with an unexpected HTTP status.
type statusError struct {
	method, path string
	status       int
	body         string
	// retryAfter is the answer's Retry-After in seconds (0 when absent).
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.method, e.path, e.status, e.body)
}

// call sends body as JSON (when not nil) and decodes a 2xx answer into out;
// any other status is a *statusError.
func (a *api) call(ctx context.Context, method, path, token string, body, out any, headers ...string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &statusError{method: method, path: path, status: resp.StatusCode, body: string(bytes.TrimSpace(answer))}
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			se.retryAfter = time.Duration(secs) * time.Second
		}
		return se
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

// register creates an account of role and returns its access token.
func (a *api) register(ctx context.Context, role, name string) (string, error) {
	body := map[string]any{"email": name + "@loadgen.mercato.test", "password": "correct horse battery", "name": "Loadgen " + role, "role": role}
	if role == "merchant" {
		body["store_name"] = "Loadgen store " + name
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := a.call(ctx, http.MethodPost, "/api/v1/auth/register", "", body, &out); err != nil {
		return "", err
	}
	if out.AccessToken == "" {
		return "", fmt.Errorf("register %s: no access token", name)
	}
	return out.AccessToken, nil
}

// createProduct creates a product priced 10.00 USD with stock units and
// returns its id.
func (a *api) createProduct(ctx context.Context, merchantToken, sku string, stock int64) (string, error) {
	body := map[string]any{
		"sku": sku, "name": "Loadgen item " + sku, "description": "A load generator product", "category": "loadgen",
		"price": map[string]any{"amount": 1000, "currency": "USD"}, "stock": stock, "images": []string{},
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := a.call(ctx, http.MethodPost, "/api/v1/merchant/products", merchantToken, body, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("product %s: no id", sku)
	}
	return out.ID, nil
}

// setCartItem puts quantity units of a product in the shopper's cart.
func (a *api) setCartItem(ctx context.Context, token, productID string, quantity int) error {
	return a.call(ctx, http.MethodPut, "/api/v1/cart/items/"+productID, token, map[string]int{"quantity": quantity}, nil)
}

// order is the part of an order the load generator reads.
type order struct {
	ID           string    `json:"id"`
	Status       string    `json:"status"`
	CancelReason string    `json:"cancel_reason"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// terminal says whether the saga is done with the order (for loadgen's
// orders, which are never shipped or cancelled by the shopper).
func (o order) terminal() bool {
	switch o.Status {
	case "paid", "shipped", "cancelled", "refunded":
		return true
	}
	return false
}

// final is the status with the cancel reason, if any:
// "cancelled:payment_declined".
func (o order) final() string {
	if o.CancelReason != "" {
		return o.Status + ":" + o.CancelReason
	}
	return o.Status
}

// backoff is how long a worker waits after a failed call before its next
// journey: the answer's Retry-After (at most maxBackoff), else a short
// pause so that a failing suite is not hammered in a tight loop.
func backoff(err error) time.Duration {
	const pause, maxBackoff = 200 * time.Millisecond, 5 * time.Second
	var se *statusError
	if errors.As(err, &se) && se.retryAfter > 0 {
		return min(se.retryAfter, maxBackoff)
	}
	return pause
}

// errorKind is a short, stable name for what went wrong in a call: the
// HTTP status and the problem's code ("503 upstream_unavailable"), or the
// transport failure ("timeout", "connection refused", ...).
func errorKind(err error) string {
	var se *statusError
	if errors.As(err, &se) {
		var problem struct {
			Code string `json:"code"`
		}
		if json.Unmarshal([]byte(se.body), &problem) == nil && problem.Code != "" {
			return fmt.Sprintf("%d %s", se.status, problem.Code)
		}
		return fmt.Sprintf("%d", se.status)
	}
	var ne net.Error
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case strings.Contains(msg, "connection refused"):
		return "connection refused"
	case strings.Contains(msg, "connection reset"):
		return "connection reset"
	case strings.Contains(msg, "EOF"):
		return "EOF"
	case strings.Contains(msg, "decode answer"), strings.Contains(msg, "without order id"):
		return "bad answer"
	}
	return "error"
}

// checkout places the cart as an order, paid with the test card.
func (a *api) checkout(ctx context.Context, token, idempotencyKey string) (order, error) {
	body := map[string]any{"payment_method": "pm_card_visa", "shipping_address": map[string]any{
		"name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "London", "postal_code": "N1 9GU", "country": "GB"}}
	var o order
	err := a.call(ctx, http.MethodPost, "/api/v1/checkout", token, body, &o, "Idempotency-Key", idempotencyKey)
	if err == nil && o.ID == "" {
		err = fmt.Errorf("checkout: answer without order id")
	}
	return o, err
}

// order reads one of the shopper's orders.
func (a *api) order(ctx context.Context, token, id string) (order, error) {
	var o order
	err := a.call(ctx, http.MethodGet, "/api/v1/orders/"+id, token, nil, &o)
	return o, err
}

// listedProducts sums the product counts of the catalog's categories:
// the products its read model lists.
func (a *api) listedProducts(ctx context.Context) (int, error) {
	var out struct {
		Items []struct {
			Count int `json:"count"`
		} `json:"items"`
	}
	if err := a.call(ctx, http.MethodGet, "/api/v1/categories", "", nil, &out); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range out.Items {
		n += c.Count
	}
	return n, nil
}
