// Package webhook posts signed webhook deliveries to merchants' endpoints,
// guarded against server-side request forgery: every connection's address
// is checked after name resolution (private, link-local and reserved
// ranges refused; loopback only when the devstack allows it), redirects
// are not followed, each request has a timeout and only a bounded part of
// the reply is read.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
)

// MaxReplyBytes is how much of an endpoint's reply is read.
const MaxReplyBytes = 64 << 10

// Client posts deliveries.
type Client struct {
	http *http.Client
}

// NewClient returns a client that refuses addresses policy refuses and
// gives up on a request after timeout.
func NewClient(policy domain.URLPolicy, timeout time.Duration) *Client {
	dialer := &net.Dialer{Timeout: timeout, Control: control(policy)}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would hide the real destination from the check
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &Client{http: &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("webhook endpoints must not redirect")
		},
	}}
}

// control checks the resolved address of every connection.
func control(policy domain.URLPolicy) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("webhook dial %s: %w", address, err)
		}
		if err := policy.CheckIP(ip); err != nil {
			return fmt.Errorf("webhook dial %s refused: %w", address, err)
		}
		return nil
	}
}

// Post sends body to url with headers and returns the reply's status. At
// most MaxReplyBytes of the reply are read; the rest is dropped with the
// connection.
func (c *Client) Post(ctx context.Context, url string, headers map[string]string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("webhook request: %w", err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("webhook post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxReplyBytes))
	return resp.StatusCode, nil
}
