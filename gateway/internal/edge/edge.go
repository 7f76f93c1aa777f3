// Package edge is the gateway's request hygiene: which peers are trusted
// proxies, a limit on the number of request header fields, and the security
// headers every answer carries (nosniff; HSTS when served over TLS and
// configured). The server timeouts and header size limit against slow or
// bloated clients are set on the http.Server itself (ConfigureServer).
package edge

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/logging"
)

// CodeHeadersTooLarge is the problem code of a 431 answer.
const CodeHeadersTooLarge = "headers_too_large"

// Trusted is the set of proxy addresses whose X-Forwarded-* headers are
// believed. The zero Trusted trusts nobody.
type Trusted struct {
	prefixes []netip.Prefix
}

// ParseTrusted reads addresses and CIDRs such as "10.0.0.0/8" or "::1".
func ParseTrusted(list []string) (Trusted, error) {
	var t Trusted
	for _, item := range list {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			addr, err := netip.ParseAddr(item)
			if err != nil {
				return Trusted{}, fmt.Errorf("trusted proxy %q: %w", item, err)
			}
			t.prefixes = append(t.prefixes, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
			continue
		}
		prefix, err := netip.ParsePrefix(item)
		if err != nil {
			return Trusted{}, fmt.Errorf("trusted proxy %q: %w", item, err)
		}
		t.prefixes = append(t.prefixes, prefix.Masked())
	}
	return t, nil
}

// Peer reports whether remoteAddr (host:port, as in http.Request) is a
// trusted proxy.
func (t Trusted) Peer(remoteAddr string) bool {
	if len(t.prefixes) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Strings lists the trusted prefixes, for gin's SetTrustedProxies.
func (t Trusted) Strings() []string {
	out := make([]string, len(t.prefixes))
	for i, p := range t.prefixes {
		out[i] = p.String()
	}
	return out
}

// ServerLimits bound what a client may make the server hold.
type ServerLimits struct {
	// MaxHeaderBytes bounds the request line and headers (net/http adds
	// 4 KB of slack); beyond it net/http answers 431.
	MaxHeaderBytes int
	// ReadHeaderTimeout is how long a client may take to send its
	// headers: a slowloris client is cut off after it.
	ReadHeaderTimeout time.Duration
	// IdleTimeout is how long an idle keep-alive connection stays open.
	IdleTimeout time.Duration
}

// ConfigureServer applies the non-zero limits to srv.
func ConfigureServer(srv *http.Server, l ServerLimits) {
	if l.MaxHeaderBytes > 0 {
		srv.MaxHeaderBytes = l.MaxHeaderBytes
	}
	if l.ReadHeaderTimeout > 0 {
		srv.ReadHeaderTimeout = l.ReadHeaderTimeout
	}
	if l.IdleTimeout > 0 {
		srv.IdleTimeout = l.IdleTimeout
	}
}

// HeaderCountLimit answers 431 problem+json to a request with more than
// limit header field lines (every value of a repeated name counts).
func HeaderCountLimit(limit int) gin.HandlerFunc {
	return func(c *gin.Context) {
		n := 0
		for _, values := range c.Request.Header {
			n += len(values)
		}
		if n > limit {
			status := http.StatusRequestHeaderFieldsTooLarge
			body := httpserver.ProblemBody{
				Type: "about:blank", Title: http.StatusText(status), Status: status,
				Detail:   "more than " + strconv.Itoa(limit) + " request header fields",
				Instance: c.Request.URL.Path, Code: CodeHeadersTooLarge,
				RequestID: logging.RequestID(c.Request.Context()),
			}
			encoded, err := json.Marshal(body)
			if err != nil { // cannot happen: ProblemBody holds strings and ints
				encoded = []byte(`{"type":"about:blank","status":431,"code":"headers_too_large"}`)
			}
			c.Data(status, httpserver.ContentTypeProblem, encoded)
			c.Abort()
			return
		}
		c.Next()
	}
}

// SecurityOptions configure SecurityHeaders.
type SecurityOptions struct {
	// HSTSMaxAge, when positive, sends Strict-Transport-Security on answers
	// to requests that came over TLS, directly or through a trusted proxy
	// saying X-Forwarded-Proto: https. Never on plain HTTP: browsers ignore
	// it there, and a wrong one locks a site out.
	HSTSMaxAge time.Duration
	// Trusted are the proxies whose X-Forwarded-Proto is believed.
	Trusted Trusted
}

// SecurityHeaders sets X-Content-Type-Options: nosniff on every answer, and
// HSTS as SecurityOptions says. The web UI's pages add their CSP,
// Referrer-Policy and frame-ancestors themselves.
func SecurityHeaders(opts SecurityOptions) gin.HandlerFunc {
	hsts := ""
	if opts.HSTSMaxAge > 0 {
		hsts = "max-age=" + strconv.FormatInt(int64(opts.HSTSMaxAge.Seconds()), 10) + "; includeSubDomains"
	}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h["X-Content-Type-Options"] = nosniff
		if hsts != "" && overTLS(c.Request, opts.Trusted) {
			h.Set("Strict-Transport-Security", hsts)
		}
		c.Next()
	}
}

var nosniff = []string{"nosniff"}

func overTLS(r *http.Request, trusted Trusted) bool {
	if r.TLS != nil {
		return true
	}
	proto := r.Header.Get("X-Forwarded-Proto")
	return proto != "" && strings.EqualFold(proto, "https") && trusted.Peer(r.RemoteAddr)
}
