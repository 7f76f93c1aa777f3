// Package domain holds the notifications service's rules: the kinds of
// email and which of them a user may turn off, the identity of a
// notification, retry schedules, money formatting, webhook signatures and
// the URLs a webhook may point at. It knows nothing of gin, Mongo or Kafka.
package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// Kind is the kind of an email.
type Kind string

// The kinds of email.
const (
	KindWelcome          Kind = "welcome"
	KindOrderConfirmed   Kind = "order_confirmed"
	KindPaymentDeclined  Kind = "payment_declined"
	KindOrderShipped     Kind = "order_shipped"
	KindOrderRefunded    Kind = "order_refunded"
	KindOrderCancelled   Kind = "order_cancelled"
	KindMerchantNewOrder Kind = "merchant_new_order"
)

// Kinds lists every kind, in the order preferences show them.
var Kinds = []Kind{KindWelcome, KindOrderConfirmed, KindPaymentDeclined, KindOrderShipped,
	KindOrderRefunded, KindOrderCancelled, KindMerchantNewOrder}

// transactional kinds tell of money or a contract; they cannot be turned off.
var transactional = []Kind{KindOrderConfirmed, KindPaymentDeclined, KindOrderRefunded}

// Known reports whether k is a kind of email.
func (k Kind) Known() bool { return slices.Contains(Kinds, k) }

// Transactional reports whether k is always sent, whatever the preferences.
func (k Kind) Transactional() bool { return slices.Contains(transactional, k) }

// Preferences are the kinds a user turned off.
type Preferences struct {
	UserID   string
	Disabled []Kind
}

// Wants reports whether the user wants emails of kind k.
func (p Preferences) Wants(k Kind) bool {
	return k.Transactional() || !slices.Contains(p.Disabled, k)
}

// Apply sets the wanted state of each kind in enabled and returns the
// result. An unknown kind, or turning a transactional kind off, is a
// validation error naming the field.
func (p Preferences) Apply(enabled map[string]bool) (Preferences, []FieldProblem) {
	var problems []FieldProblem
	out := Preferences{UserID: p.UserID, Disabled: slices.Clone(p.Disabled)}
	for name, on := range enabled {
		k := Kind(name)
		switch {
		case !k.Known():
			problems = append(problems, FieldProblem{"enabled." + name, "unknown kind of email"})
		case k.Transactional() && !on:
			problems = append(problems, FieldProblem{"enabled." + name, "transactional emails cannot be turned off"})
		case on:
			out.Disabled = slices.DeleteFunc(out.Disabled, func(d Kind) bool { return d == k })
		case !slices.Contains(out.Disabled, k):
			out.Disabled = append(out.Disabled, k)
		}
	}
	slices.Sort(out.Disabled)
	slices.SortFunc(problems, func(a, b FieldProblem) int { return compare(a.Field, b.Field) })
	return out, problems
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// FieldProblem names one invalid field of a request.
type FieldProblem struct {
	Field   string
	Message string
}

// NotificationID is the identity of the email of kind sent to recipient
// because of event: the same triple always gives the same id, so a
// redelivered event cannot make a second email.
func NotificationID(eventID, recipient string, kind Kind) string {
	return digest(eventID, recipient, string(kind))
}

// DeliveryID is the identity of one event's delivery to one webhook.
func DeliveryID(webhookID, eventID string) string { return digest(webhookID, eventID) }

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
