package web

import (
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

// productImagePattern is the name of a generated product image: a slug of
// lower-case letters, digits and dashes, with the .svg extension.
var productImagePattern = regexp.MustCompile(`^([a-z0-9]+(?:-[a-z0-9]+)*)\.svg$`)

// ProductImagePath is the path of the generated image for slug, such as
// /assets/products/desk-lamp.svg (the demo data uses it; no network needed).
func ProductImagePath(slug string) string { return "/assets/products/" + slug + ".svg" }

// serveProductImage answers with a deterministic SVG picture for a product
// slug: a two-colour background, a shape and the product's name.
func serveProductImage(c *gin.Context, name string) {
	m := productImagePattern.FindStringSubmatch(name)
	if m == nil || len(name) > 100 {
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found\n"))
		return
	}
	c.Header("Cache-Control", CacheProductImage)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "image/svg+xml", ProductImage(m[1]))
}

// ProductImage renders the SVG picture of slug. The same slug always gives
// the same picture.
func ProductImage(slug string) []byte {
	h := fnv.New32a()
	h.Write([]byte(slug))
	sum := h.Sum32()
	hue := int(sum % 360)
	shape := shapes[int(sum>>9)%len(shapes)]
	words := strings.Split(slug, "-")
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	lines := wrap(words, 14)
	var text strings.Builder
	for i, l := range lines {
		y := 330 + i*34 - (len(lines)-1)*17
		fmt.Fprintf(&text, `<text x="200" y="%d">%s</text>`, y, html.EscapeString(l))
	}
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" role="img" aria-label="%s">`+
		`<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">`+
		`<stop offset="0" stop-color="hsl(%d 70%% 88%%)"/><stop offset="1" stop-color="hsl(%d 60%% 72%%)"/>`+
		`</linearGradient></defs><rect width="400" height="400" fill="url(#g)"/>`+
		`<g fill="hsl(%d 55%% 42%%)" opacity="0.85">%s</g>`+
		`<g font-family="system-ui,sans-serif" font-size="28" font-weight="600" text-anchor="middle" fill="hsl(%d 45%% 20%%)">%s</g></svg>`,
		html.EscapeString(strings.Join(words, " ")), hue, (hue+40)%360, hue, shape, hue, text.String())
}

// shapes are the pictures' centre pieces.
var shapes = []string{
	`<circle cx="200" cy="160" r="90"/>`,
	`<rect x="115" y="75" width="170" height="170" rx="28"/>`,
	`<polygon points="200,60 300,250 100,250"/>`,
	`<path d="M200 250 L120 170 A50 50 0 0 1 200 110 A50 50 0 0 1 280 170 Z"/>`,
	`<ellipse cx="200" cy="165" rx="120" ry="70"/>`,
	`<polygon points="200,60 290,120 290,220 200,275 110,220 110,120"/>`,
}

// wrap joins words into lines of at most width characters (a longer word
// has a line of its own), three lines at most.
func wrap(words []string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range words {
		switch {
		case cur == "":
			cur = w
		case len(cur)+1+len(w) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > 3 {
		lines = append(lines[:2], lines[2]+"…")
	}
	return lines
}
