// Package web serves Mercato's browser UI from the gateway: the storefront
// at / and the merchant console at /merchant. Both are plain HTML, CSS and
// JavaScript modules embedded in the binary (no build step, nothing loaded
// from the network unless a real Stripe publishable key is configured).
//
// Static files live under /assets/<version>/..., where version is a hash of
// every embedded file: those URLs never change content, so browsers cache
// them for a year, while the HTML pages are revalidated on every load and
// always name the current version. Client-side routes (/product/..., /cart,
// /orders/..., /merchant/...) answer with their page's HTML, so a reload or a
// shared link works; the API keeps its own routes and the gateway's NoRoute
// problem answers.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// Cache-Control values.
const (
	// CacheImmutable is sent with versioned assets.
	CacheImmutable = "public, max-age=31536000, immutable"
	// CacheRevalidate is sent with pages and unversioned files.
	CacheRevalidate = "no-cache"
	// CacheProductImage is sent with generated product images.
	CacheProductImage = "public, max-age=86400"
)

// assetsPlaceholder is replaced in the HTML pages by the versioned assets
// path, such as /assets/3f2a9c1b0d4e.
const assetsPlaceholder = "{{ASSETS}}"

// Options configure the UI.
type Options struct {
	// StripePublishableKey, when set (pk_live_... or pk_test_...), makes the
	// checkout load Stripe.js and collect the card with Stripe Elements;
	// when empty the checkout offers Stripe's test payment methods.
	StripePublishableKey string
}

// site is the prepared content: the files by path (without "static/"),
// the pages with their placeholders filled in and the assets version.
type site struct {
	files   map[string][]byte
	pages   map[string][]byte
	version string
	config  []byte
}

// Register adds the UI routes to r: the pages, the client-side routes, the
// assets, the generated product images and /config.json. It adds no
// NoRoute handler and no /api route.
func Register(r gin.IRouter, opts Options) {
	s, err := load(opts)
	if err != nil {
		panic(fmt.Sprintf("web: embedded assets: %v", err)) // the embed is fixed at build time
	}
	store := s.page("store.html")
	merchant := s.page("merchant.html")
	for _, p := range []string{"/", "/search", "/cart", "/checkout", "/login", "/register", "/orders", "/account"} {
		getHead(r, p, store)
	}
	for _, p := range []string{"/product/*id", "/orders/*id"} {
		getHead(r, p, store)
	}
	getHead(r, "/merchant", merchant)
	getHead(r, "/merchant/*path", merchant)
	getHead(r, "/assets/*filepath", s.asset)
	getHead(r, "/config.json", s.configJSON)
}

func getHead(r gin.IRouter, p string, h gin.HandlerFunc) {
	r.GET(p, h)
	r.HEAD(p, h)
}

// load reads the embedded files, computes the version and fills in the
// pages.
func load(opts Options) (*site, error) {
	s := &site{files: map[string][]byte{}, pages: map[string][]byte{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		s.files[strings.TrimPrefix(p, "static/")] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk embedded files: %w", err)
	}
	s.version = contentVersion(s.files)
	for name, b := range s.files {
		if strings.HasSuffix(name, ".html") {
			s.pages[name] = bytes.ReplaceAll(b, []byte(assetsPlaceholder), []byte("/assets/"+s.version))
		}
	}
	s.config = fmt.Appendf(nil, `{"stripe_publishable_key":%q}`, opts.StripePublishableKey)
	return s, nil
}

// contentVersion is a short hash of every file's name and content.
func contentVersion(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(files[n]))
		h.Write(files[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// page answers with one HTML page, revalidated on every load.
func (s *site) page(name string) gin.HandlerFunc {
	body, ok := s.pages[name]
	if !ok {
		panic("web: missing page " + name)
	}
	return func(c *gin.Context) {
		setPageHeaders(c)
		c.Data(http.StatusOK, "text/html; charset=utf-8", body)
	}
}

// setPageHeaders sends the security headers of the HTML pages. Stripe's
// origins are allowed so that Stripe.js can run when a key is configured.
func setPageHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Cache-Control", CacheRevalidate)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; "+
		"script-src 'self' https://js.stripe.com; "+
		"frame-src https://js.stripe.com https://hooks.stripe.com; "+
		"connect-src 'self' https://api.stripe.com; "+
		"img-src 'self' data: http: https:; style-src 'self'; "+
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
}

// asset serves /assets/<version>/<file> (immutable), /assets/<file>
// (revalidated) and /assets/products/<name>.svg (generated).
func (s *site) asset(c *gin.Context) {
	p := path.Clean(strings.TrimPrefix(c.Param("filepath"), "/"))
	if name, ok := strings.CutPrefix(p, "products/"); ok {
		serveProductImage(c, name)
		return
	}
	cache := CacheRevalidate
	if first, rest, ok := strings.Cut(p, "/"); ok && first == s.version {
		p, cache = rest, CacheImmutable
	} else if ok && isVersionLike(first) {
		// A page from an older build asks for its version: serve today's
		// file, but do not let it be cached as that version forever.
		p = rest
	}
	body, found := s.files[p]
	if !found || strings.HasSuffix(p, ".html") {
		c.Header("Cache-Control", CacheRevalidate)
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found\n"))
		return
	}
	c.Header("Cache-Control", cache)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, contentType(p), body)
}

// isVersionLike reports whether seg looks like a version (12 hex digits).
func isVersionLike(seg string) bool {
	if len(seg) != 12 {
		return false
	}
	_, err := hex.DecodeString(seg)
	return err == nil
}

// contentType is the media type of an asset by its extension.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json":
		return "application/json"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// configJSON tells the browser code the Stripe publishable key (public by
// design; empty in test mode).
func (s *site) configJSON(c *gin.Context) {
	c.Header("Cache-Control", CacheRevalidate)
	c.Data(http.StatusOK, "application/json", s.config)
}
