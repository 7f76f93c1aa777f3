package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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
		return &statusError{method: method, path: path, status: resp.StatusCode, body: string(bytes.TrimSpace(answer))}
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
	ID     string `json:"id"`
	Status string `json:"status"`
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
