package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/mercato-shop/mercato/devstack/internal/gatewayapi"
)

// api calls Mercato's public API through the gateway.
type api struct{ *gatewayapi.Client }

func newAPI(gatewayURL string, concurrency int) *api {
	return &api{gatewayapi.New(gatewayURL, concurrency*2, 30*time.Second)}
}

// register creates an account of role and returns its access token.
func (a *api) register(ctx context.Context, role, name string) (string, error) {
	return a.Register(ctx, role, name, "loadgen")
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
	if err := a.Call(ctx, http.MethodPost, "/api/v1/merchant/products", merchantToken, body, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("product %s: no id", sku)
	}
	return out.ID, nil
}

// setCartItem puts quantity units of a product in the shopper's cart.
func (a *api) setCartItem(ctx context.Context, token, productID string, quantity int) error {
	return a.Call(ctx, http.MethodPut, "/api/v1/cart/items/"+productID, token, map[string]int{"quantity": quantity}, nil)
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
	var se *gatewayapi.StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		return min(se.RetryAfter, maxBackoff)
	}
	return pause
}

// errorKind is a short, stable name for what went wrong in a call: the
// HTTP status and the problem's code ("503 upstream_unavailable"), or the
// transport failure ("timeout", "connection refused", ...).
func errorKind(err error) string {
	var se *gatewayapi.StatusError
	if errors.As(err, &se) {
		var problem struct {
			Code string `json:"code"`
		}
		if json.Unmarshal([]byte(se.Body), &problem) == nil && problem.Code != "" {
			return fmt.Sprintf("%d %s", se.Status, problem.Code)
		}
		return fmt.Sprintf("%d", se.Status)
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
	err := a.Call(ctx, http.MethodPost, "/api/v1/checkout", token, body, &o, "Idempotency-Key", idempotencyKey)
	if err == nil && o.ID == "" {
		err = fmt.Errorf("checkout: answer without order id")
	}
	return o, err
}

// order reads one of the shopper's orders.
func (a *api) order(ctx context.Context, token, id string) (order, error) {
	var o order
	err := a.Call(ctx, http.MethodGet, "/api/v1/orders/"+id, token, nil, &o)
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
	if err := a.Call(ctx, http.MethodGet, "/api/v1/categories", "", nil, &out); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range out.Items {
		n += c.Count
	}
	return n, nil
}
