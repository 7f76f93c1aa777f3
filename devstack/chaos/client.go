package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client calls the public API through the gateway.
type client struct {
	base string
	http *http.Client
}

func newClient(gatewayURL string) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &client{base: strings.TrimRight(gatewayURL, "/"), http: &http.Client{Timeout: 10 * time.Second, Transport: tr}}
}

// statusError is an answer outside 2xx.
type statusError struct {
	method, path string
	status       int
	body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.method, e.path, e.status, e.body)
}

// definite says whether an answer settles the request: a 4xx other than
// 408 and 429 will not change when sent again.
func definite(err error) bool {
	se, ok := err.(*statusError) //nolint:errorlint // call returns it unwrapped
	return ok && se.status >= 400 && se.status < 500 && se.status != http.StatusRequestTimeout && se.status != http.StatusTooManyRequests
}

// call sends body as JSON and decodes a 2xx answer into out.
func (c *client) call(ctx context.Context, method, path, token string, body, out any, headers ...string) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
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
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return &statusError{method: method, path: path, status: resp.StatusCode, body: string(bytes.TrimSpace(answer))}
	}
	if out != nil && len(answer) > 0 {
		if err := json.Unmarshal(answer, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// retry repeats fn every 200 ms until it succeeds, fails definitely, or
// limit passes; it returns fn's last error.
func retry(ctx context.Context, limit time.Duration, fn func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := fn()
		if err == nil || definite(err) || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		if wait(ctx, 200*time.Millisecond) != nil {
			return err
		}
	}
}

// register makes an account and returns its access token.
func (c *client) register(ctx context.Context, role, name string) (string, error) {
	body := map[string]any{"email": name + "@chaos.mercato.test", "password": "correct horse battery", "name": "Chaos " + role, "role": role}
	if role == "merchant" {
		body["store_name"] = "Chaos store " + name
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.call(ctx, http.MethodPost, "/api/v1/auth/register", "", body, &out); err != nil {
		return "", err
	}
	if out.AccessToken == "" {
		return "", fmt.Errorf("register %s: no access token", name)
	}
	return out.AccessToken, nil
}

// stock is a product's counters as its merchant sees them.
type stock struct {
	Available int64 `json:"available"`
	Held      int64 `json:"held"`
	Sold      int64 `json:"sold"`
}

// merchantProduct reads a product's stock counters.
func (c *client) merchantProduct(ctx context.Context, token, id string) (stock, error) {
	var out struct {
		Stock stock `json:"stock"`
	}
	err := c.call(ctx, http.MethodGet, "/api/v1/merchant/products/"+id, token, nil, &out)
	return out.Stock, err
}

// order is the part of an order the run reads.
type order struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	CancelReason string `json:"cancel_reason"`
	Lines        []struct {
		ProductID string `json:"product_id"`
		Quantity  int64  `json:"quantity"`
	} `json:"lines"`
}

// terminal says whether the saga is done with the order.
func (o order) terminal() bool {
	switch o.Status {
	case "paid", "shipped", "cancelled", "refunded":
		return true
	}
	return false
}

// keepsSale says whether the order's units stay sold: paid or shipped.
func (o order) keepsSale() bool { return o.Status == "paid" || o.Status == "shipped" }

// final is the status with its cancel reason.
func (o order) final() string {
	if o.CancelReason != "" {
		return o.Status + ":" + o.CancelReason
	}
	return o.Status
}

// checkout places the cart, paid with the test card.
func (c *client) checkout(ctx context.Context, token, key string) (order, error) {
	body := map[string]any{"payment_method": "pm_card_visa", "shipping_address": map[string]any{
		"name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "London", "postal_code": "N1 9GU", "country": "GB"}}
	var o order
	err := c.call(ctx, http.MethodPost, "/api/v1/checkout", token, body, &o, "Idempotency-Key", key)
	if err == nil && o.ID == "" {
		err = fmt.Errorf("checkout: answer without order id")
	}
	return o, err
}

// orders lists every order of the shopper, following the cursor.
func (c *client) orders(ctx context.Context, token string) ([]order, error) {
	var all []order
	cursor := ""
	for {
		path := "/api/v1/orders?limit=100"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var page struct {
			Items      []order `json:"items"`
			NextCursor string  `json:"next_cursor"`
		}
		if err := c.call(ctx, http.MethodGet, path, token, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			return all, nil
		}
		cursor = page.NextCursor
	}
}
