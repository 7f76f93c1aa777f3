package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxAttempts bounds the tries of one call that meets a retryable status.
const maxAttempts = 8

type client struct {
	base string
	http *http.Client
}

func newClient(base string) *client {
	return &client{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 15 * time.Second}}
}

type registration struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	StoreName string `json:"store_name,omitempty"`
}

type money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type productRequest struct {
	SKU         string   `json:"sku"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Category    string   `json:"category"`
	Price       money    `json:"price"`
	Stock       int64    `json:"stock"`
	Images      []string `json:"images"`
	WeightGrams int64    `json:"weight_grams"`
}

type tokens struct {
	AccessToken string `json:"access_token"`
}

// account registers r, or logs in when the email is taken, and returns an
// access token.
func (c *client) account(ctx context.Context, r registration) (string, error) {
	var t tokens
	status, err := c.call(ctx, http.MethodPost, "/api/v1/auth/register", "", r, &t)
	if err != nil {
		return "", err
	}
	if status == http.StatusConflict {
		login := map[string]string{"email": r.Email, "password": r.Password}
		if status, err = c.call(ctx, http.MethodPost, "/api/v1/auth/login", "", login, &t); err != nil {
			return "", err
		}
	}
	if status != http.StatusOK && status != http.StatusCreated || t.AccessToken == "" {
		return "", fmt.Errorf("%s: status %d, no access token (an account of that email with another password?)", r.Email, status)
	}
	return t.AccessToken, nil
}

// createProduct sends a product's create request (a productRequest or a
// variantProductRequest), reporting false when its SKU exists already.
func (c *client) createProduct(ctx context.Context, token string, body any) (bool, error) {
	status, err := c.call(ctx, http.MethodPost, "/api/v1/merchant/products", token, body, nil)
	switch {
	case err != nil:
		return false, err
	case status == http.StatusCreated:
		return true, nil
	case status == http.StatusConflict:
		return false, nil
	default:
		return false, fmt.Errorf("status %d", status)
	}
}

// call sends body as JSON and decodes a 2xx answer into out. It retries
// network errors and retryable statuses (the suite warming up). A 2xx or a
// 409 comes back as its status; any other status is an error carrying the
// problem's detail.
func (c *client) call(ctx context.Context, method, path, token string, body, out any) (int, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return 0, fmt.Errorf("encode %s: %w", path, err)
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(payload))
		if err != nil {
			return 0, fmt.Errorf("%s %s: %w", method, path, err)
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if attempt < maxAttempts && ctx.Err() == nil {
				if err := backoff(ctx, attempt, 0); err != nil {
					return 0, err
				}
				continue
			}
			return 0, fmt.Errorf("%s %s: %w", method, path, err)
		}
		answer, readErr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if readErr != nil {
			return 0, fmt.Errorf("%s %s: read answer: %w", method, path, readErr)
		}
		if retryable(resp.StatusCode) && attempt < maxAttempts {
			seconds, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err := backoff(ctx, attempt, time.Duration(seconds)*time.Second); err != nil {
				return 0, err
			}
			continue
		}
		switch {
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			if out != nil {
				if err := json.Unmarshal(answer, out); err != nil {
					return resp.StatusCode, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
				}
			}
			return resp.StatusCode, nil
		case resp.StatusCode == http.StatusConflict:
			return resp.StatusCode, nil
		default:
			return resp.StatusCode, fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, problemDetail(answer))
		}
	}
}

// problemDetail is the detail (and field errors) of a problem answer.
func problemDetail(body []byte) string {
	var p struct {
		Detail string `json:"detail"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &p) != nil || p.Detail == "" {
		return strings.TrimSpace(string(body))
	}
	for _, e := range p.Errors {
		p.Detail += fmt.Sprintf("; %s: %s", e.Field, e.Message)
	}
	return p.Detail
}
