package domain

import (
	"strings"
	"time"
)

// Status is where a notification or a webhook delivery stands.
type Status string

// Statuses of notifications and deliveries.
const (
	// StatusQueued: waiting to be sent (first try or a retry).
	StatusQueued Status = "queued"
	// StatusSent: the SMTP server accepted the email, or the webhook
	// answered 2xx.
	StatusSent Status = "sent"
	// StatusFailed: a permanent failure, or retries ran out.
	StatusFailed Status = "failed"
	// StatusSuppressed: the recipient turned this kind of email off.
	StatusSuppressed Status = "suppressed"
)

// Address is a postal address.
type Address struct {
	Name, Line1, Line2, City, Region, PostalCode, Country string
}

// Lines is the address as printed lines, empty parts left out.
func (a Address) Lines() []string {
	var out []string
	for _, l := range []string{a.Name, a.Line1, a.Line2, strings.TrimSpace(a.PostalCode + " " + a.City), a.Region, a.Country} {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// Line is one product line of an order.
type Line struct {
	ProductID  string
	MerchantID string
	Name       string
	UnitPrice  Money
	Quantity   int64
	// Discount is the line's share of its merchant's discount code.
	Discount Money
	// Options are a variant's option values, ordered by name; empty for a
	// product without variants (and lines from before variants).
	Options []Option
}

// Option is one option value of a variant, such as size M.
type Option struct {
	Name, Value string
}

// Title is the line as an email names it: the product's name, followed by
// a variant's options, "T-shirt (size: M, colour: red)".
func (l Line) Title() string {
	if len(l.Options) == 0 {
		return l.Name
	}
	parts := make([]string, len(l.Options))
	for i, o := range l.Options {
		parts[i] = o.Name + ": " + o.Value
	}
	return l.Name + " (" + strings.Join(parts, ", ") + ")"
}

// Charge is one merchant's discount and shipping of an order.
type Charge struct {
	MerchantID         string
	Discount, Shipping Money
}

// ChargeOf returns the charge of merchantID (zero when it has none).
func ChargeOf(charges []Charge, merchantID string) Charge {
	for _, c := range charges {
		if c.MerchantID == merchantID {
			return c
		}
	}
	return Charge{MerchantID: merchantID}
}

// Discounts is the sum of the lines' discounts.
func Discounts(lines []Line) Money {
	var m Money
	for _, l := range lines {
		m.Amount += l.Discount.Amount
		if m.Currency == "" {
			m.Currency = l.UnitPrice.Currency
		}
	}
	return m
}

// Shipping is the sum of the charges' shipping.
func Shipping(charges []Charge) Money {
	var m Money
	for _, c := range charges {
		m.Amount += c.Shipping.Amount
		if m.Currency == "" {
			m.Currency = c.Shipping.Currency
		}
	}
	return m
}

// Total is the line's price times its quantity.
func (l Line) Total() Money { return l.UnitPrice.Times(l.Quantity) }

// LinesOf keeps the lines of one merchant.
func LinesOf(lines []Line, merchantID string) []Line {
	var out []Line
	for _, l := range lines {
		if l.MerchantID == merchantID {
			out = append(out, l)
		}
	}
	return out
}

// MerchantsOf lists the distinct merchants of lines, in order of appearance.
func MerchantsOf(lines []Line) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lines {
		if l.MerchantID != "" && !seen[l.MerchantID] {
			seen[l.MerchantID] = true
			out = append(out, l.MerchantID)
		}
	}
	return out
}

// Sum adds up the lines' totals; the currency is the first line's.
func Sum(lines []Line) Money {
	var m Money
	for i, l := range lines {
		if i == 0 {
			m.Currency = l.UnitPrice.Currency
		}
		m.Amount += l.Total().Amount
	}
	return m
}

// Notification is one email to one recipient because of one event. Its
// content is the order snapshot the event carried; the recipient's address
// and the store names are looked up when it is sent.
type Notification struct {
	// ID is NotificationID(EventID, RecipientID, Kind).
	ID      string
	EventID string
	Kind    Kind
	// RecipientID is a user id, or MerchantRecipient(merchant id).
	RecipientID string
	OrderID     string
	Lines       []Line
	Total       Money
	// Discount and Shipping are what the lines' total became the Total
	// through (zero for an order without codes or shipping rates).
	Discount Money
	Shipping Money
	Address  Address
	// Reason is a decline message or a cancellation reason.
	Reason string
	Status Status
	// Attempts counts the sends tried; LastError is the latest failure.
	Attempts  int
	LastError string
	// Email is the address it went to, once known.
	Email     string
	MessageID string
	CreatedAt time.Time
	NextTryAt time.Time
	SentAt    time.Time
}

// MerchantRecipient is the recipient id of a merchant's emails.
func MerchantRecipient(merchantID string) string { return "merchant:" + merchantID }

// MerchantOf returns the merchant id of a MerchantRecipient id.
func MerchantOf(recipientID string) (string, bool) {
	return strings.CutPrefix(recipientID, "merchant:")
}

// Contact is what the directory knows of a user or a merchant.
type Contact struct {
	ID    string
	Email string
	Name  string
	// MerchantID and StoreName are set for merchants.
	MerchantID string
	StoreName  string
}

// RetryPolicy spaces the retries of a failing send and says when to stop.
type RetryPolicy struct {
	// Min is the first pause; each further pause doubles, up to Max.
	Min, Max time.Duration
	// GiveUpAfter is how long after its creation a notification or delivery
	// stops being retried.
	GiveUpAfter time.Duration
}

// Next returns when to try again after the attempts-th failure, and false
// when the work created at created should be given up at now.
func (p RetryPolicy) Next(attempts int, created, now time.Time) (time.Time, bool) {
	pause := p.Min
	for i := 1; i < attempts && pause < p.Max; i++ {
		pause *= 2
	}
	pause = min(pause, p.Max)
	next := now.Add(pause)
	if next.After(created.Add(p.GiveUpAfter)) {
		return time.Time{}, false
	}
	return next, true
}
