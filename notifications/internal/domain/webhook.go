package domain

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhook event types a merchant may subscribe to.
const (
	EventOrderPaid      = "order.paid"
	EventOrderShipped   = "order.shipped"
	EventOrderCancelled = "order.cancelled"
	EventOrderRefunded  = "order.refunded"
)

// WebhookEventTypes lists every webhook event type.
var WebhookEventTypes = []string{EventOrderPaid, EventOrderShipped, EventOrderCancelled, EventOrderRefunded}

// MaxWebhooksPerMerchant bounds a merchant's registrations.
const MaxWebhooksPerMerchant = 10

// Webhook is a merchant's registered endpoint.
type Webhook struct {
	ID         string
	MerchantID string
	URL        string
	EventTypes []string
	// Secret signs the deliveries (whsec_...); shown to the merchant only
	// when created or rotated.
	Secret    string
	CreatedAt time.Time
}

// Wants reports whether the webhook subscribed to eventType.
func (w Webhook) Wants(eventType string) bool { return slices.Contains(w.EventTypes, eventType) }

// Delivery is one event sent to one webhook, with its retries.
type Delivery struct {
	// ID is DeliveryID(WebhookID, EventID).
	ID         string
	WebhookID  string
	MerchantID string
	EventID    string
	EventType  string
	// Payload is the exact JSON body sent (and signed).
	Payload   []byte
	Status    Status
	Attempts  int
	LastError string
	// LastStatusCode is the endpoint's latest HTTP status, 0 when none.
	LastStatusCode int
	CreatedAt      time.Time
	NextTryAt      time.Time
	DeliveredAt    time.Time
}

// NewSecret returns a fresh signing secret.
func NewSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	return "whsec_" + hex.EncodeToString(b), nil
}

// SignatureHeader is the header that carries a delivery's signature.
const SignatureHeader = "Mercato-Signature"

// Sign returns the Mercato-Signature value of body sent at t, signed as
// Stripe signs its webhooks: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>" keyed with the secret>.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + signature(secret, ts, body)
}

func signature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// ErrBadSignature is returned by Verify for a missing, stale or wrong signature.
var ErrBadSignature = errors.New("bad webhook signature")

// Verify checks a Mercato-Signature header against body, as a merchant's
// receiver does: the timestamp within tolerance of now and one v1 matching.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts string
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp outside tolerance", ErrBadSignature)
	}
	want := signature(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return ErrBadSignature
}

// URLPolicy says which webhook URLs are allowed.
type URLPolicy struct {
	// AllowLoopback permits http:// and https:// URLs on loopback
	// addresses (127.0.0.0/8, ::1, localhost): the devstack only.
	AllowLoopback bool
}

// CheckURL validates a webhook URL: absolute https (http only for loopback
// when allowed), a host, no credentials, and no literal address that
// Blocked refuses. Names are checked again at every connection (CheckIP),
// so a name that resolves to a private address is refused too.
func (p URLPolicy) CheckURL(raw string) error {
	if len(raw) > 2048 {
		return errors.New("must be at most 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return errors.New("must be an absolute https URL")
	}
	if u.User != nil {
		return errors.New("must not carry credentials")
	}
	host := strings.ToLower(u.Hostname())
	loopback := host == "localhost" || strings.HasSuffix(host, ".localhost")
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := p.CheckIP(ip); err != nil {
			return err
		}
		loopback = ip.Unmap().IsLoopback()
	} else if loopback && !p.AllowLoopback {
		return errors.New("must not point at a loopback address")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback && p.AllowLoopback:
	default:
		return errors.New("must be an https URL")
	}
	return nil
}

// blockedPrefixes are address ranges a webhook may never reach.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// CheckIP refuses private, link-local (cloud metadata 169.254.169.254),
// multicast, unspecified and reserved addresses, and loopback unless
// allowed.
func (p URLPolicy) CheckIP(ip netip.Addr) error {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		if p.AllowLoopback {
			return nil
		}
		return errors.New("must not point at a loopback address")
	case ip.IsPrivate():
		return errors.New("must not point at a private address")
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return errors.New("must not point at a link-local address")
	case ip.IsUnspecified(), ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return errors.New("must not point at a special address")
	}
	for _, pre := range blockedPrefixes {
		if pre.Contains(ip) {
			return errors.New("must not point at a reserved address")
		}
	}
	return nil
}

// CheckEventTypes validates a subscription list: not empty, known, no repeats.
func CheckEventTypes(types []string) error {
	if len(types) == 0 {
		return errors.New("must name at least one event type")
	}
	seen := map[string]bool{}
	for _, t := range types {
		if !slices.Contains(WebhookEventTypes, t) {
			return fmt.Errorf("unknown event type %q (known: %s)", t, strings.Join(WebhookEventTypes, ", "))
		}
		if seen[t] {
			return fmt.Errorf("event type %q named twice", t)
		}
		seen[t] = true
	}
	return nil
}
