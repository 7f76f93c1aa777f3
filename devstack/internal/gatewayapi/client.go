// Package gatewayapi calls Mercato's public API through the gateway as a
// shopper or a merchant would, for the devstack's tools that drive it
// (loadgen, the chaos suite).
package gatewayapi

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

// maxAnswer bounds the body of an answer that is read.
const maxAnswer = 4 << 20

// Client calls the public API at one gateway.
type Client struct {
	base string
	http *http.Client
}

// New is a client of the gateway at gatewayURL keeping up to idlePerHost
// idle connections, each call bounded by timeout.
func New(gatewayURL string, idlePerHost int, timeout time.Duration) *Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = idlePerHost
	return &Client{base: strings.TrimRight(gatewayURL, "/"), http: &http.Client{Timeout: timeout, Transport: transport}}
}

// StatusError is an answer outside 2xx.
type StatusError struct {
	Method, Path string
	Status       int
	Body         string
	// RetryAfter is the answer's Retry-After (0 when absent).
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// Call sends body as JSON (when not nil) with token as the bearer (when
// not empty) and headers as name, value pairs, and decodes a 2xx answer
// that has a body into out (when not nil); any other status is a
// *StatusError.
func (c *Client) Call(ctx context.Context, method, path, token string, body, out any, headers ...string) error {
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
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &StatusError{Method: method, Path: path, Status: resp.StatusCode, Body: string(bytes.TrimSpace(answer))}
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			se.RetryAfter = time.Duration(secs) * time.Second
		}
		return se
	}
	if out != nil && len(answer) > 0 {
		if err := json.Unmarshal(answer, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return nil
}

// Register creates an account of role ("shopper" or "merchant") named
// name, its email at tool.mercato.test, and returns its access token.
func (c *Client) Register(ctx context.Context, role, name, tool string) (string, error) {
	label := strings.ToUpper(tool[:1]) + tool[1:]
	body := map[string]any{"email": name + "@" + tool + ".mercato.test", "password": "correct horse battery", "name": label + " " + role, "role": role}
	if role == "merchant" {
		body["store_name"] = label + " store " + name
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.Call(ctx, http.MethodPost, "/api/v1/auth/register", "", body, &out); err != nil {
		return "", err
	}
	if out.AccessToken == "" {
		return "", fmt.Errorf("register %s: no access token", name)
	}
	return out.AccessToken, nil
}
