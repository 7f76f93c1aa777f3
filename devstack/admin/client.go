package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Client talks to the admin endpoint of a running devstack.
type Client struct {
	// BaseURL is e.g. http://127.0.0.1:8079.
	BaseURL string
	// HTTP is the client to use (default http.DefaultClient).
	HTTP *http.Client
}

// Services lists every service's status.
func (c *Client) Services(ctx context.Context) ([]ServiceStatus, error) {
	var list ServiceList
	if err := c.do(ctx, http.MethodGet, "/services", &list); err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return list.Services, nil
}

// Restart gracefully restarts one service and returns its status once it
// is ready again.
func (c *Client) Restart(ctx context.Context, name string) (ServiceStatus, error) {
	var st ServiceStatus
	if err := c.do(ctx, http.MethodPost, "/services/"+url.PathEscape(name)+"/restart", &st); err != nil {
		return ServiceStatus{}, fmt.Errorf("restart %s: %w", name, err)
	}
	return st, nil
}

func (c *Client) do(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, nil)
	if err != nil {
		return err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("is `devstack up` running? %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var p Problem
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || p.Title == "" {
			return fmt.Errorf("admin endpoint answered %s", resp.Status)
		}
		return fmt.Errorf("%s: %s", p.Title, p.Detail)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}
