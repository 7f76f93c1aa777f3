package chaos

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/mercato-shop/mercato/devstack/internal/gatewayapi"
)

// client calls the public API through the gateway.
type client struct{ *gatewayapi.Client }

func newClient(gatewayURL string) *client {
	return &client{gatewayapi.New(gatewayURL, 64, 10*time.Second)}
}

// definite says whether an answer settles the request: a 4xx other than
// 408 and 429 will not change when sent again.
func definite(err error) bool {
	se, ok := err.(*gatewayapi.StatusError) //nolint:errorlint // Call returns it unwrapped
	return ok && se.Status >= 400 && se.Status < 500 && se.Status != http.StatusRequestTimeout && se.Status != http.StatusTooManyRequests
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
	return c.Register(ctx, role, name, "chaos")
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
	err := c.Call(ctx, http.MethodGet, "/api/v1/merchant/products/"+id, token, nil, &out)
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
	err := c.Call(ctx, http.MethodPost, "/api/v1/checkout", token, body, &o, "Idempotency-Key", key)
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
		if err := c.Call(ctx, http.MethodGet, path, token, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			return all, nil
		}
		cursor = page.NextCursor
	}
}
