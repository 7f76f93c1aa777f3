package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// Limits of a checkout request.
const (
	MaxIdempotencyKeyLen = 255
	maxFieldLen          = 200
)

// paymentMethodPattern is the form of a Stripe PaymentMethod id: "pm_"
// and letters, digits or underscores, as in pm_1Nv0... or the
// test ids such as pm_card_visa. Anything else is refused before an order
// exists, rather than placed, reserved and then declined by Stripe.
var paymentMethodPattern = regexp.MustCompile(`^pm_[A-Za-z0-9_]+$`)

// orderIDSpace is the UUID namespace of order ids.
var orderIDSpace = uuid.MustParse("6d1f6b0e-3c0a-4f57-9a43-0e1d2c9b7a51")

// OrderID derives the id of the order that shopperID's checkout with
// idempotencyKey creates. Being deterministic, it makes the order insert
// itself idempotent: two requests with one key insert one order.
func OrderID(shopperID, idempotencyKey string) string {
	// The length prefix keeps the encoding unambiguous.
	name := fmt.Sprintf("%d:%s:%s", len(shopperID), shopperID, idempotencyKey)
	return uuid.NewSHA1(orderIDSpace, []byte(name)).String()
}

// ValidateIdempotencyKey checks the Idempotency-Key header's value.
func ValidateIdempotencyKey(key string) error {
	if key == "" || len(key) > MaxIdempotencyKeyLen {
		return apperr.Validation(apperr.FieldError{Field: "Idempotency-Key",
			Message: fmt.Sprintf("header is required, 1 to %d characters", MaxIdempotencyKeyLen)})
	}
	return nil
}

// CheckoutRequest is what a shopper asks for at checkout; prices and lines
// come from the cart and the catalog, never from the request.
type CheckoutRequest struct {
	PaymentMethod   string
	ShippingAddress Address
	// sentHash, set by WithDefaultAddress, is the Hash of the request as
	// the shopper sent it, before the address book filled in its address.
	// Unexported, it is not part of what Hash marshals.
	sentHash string
}

// IsEmpty reports whether every field of a is blank: a checkout that sends
// no shipping address (or an empty one) ships to the shopper's default.
func (a Address) IsEmpty() bool {
	for _, f := range []string{a.Name, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country} {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// NoDefaultAddress is the refusal of a checkout sent without a shipping
// address by a shopper who has no default address saved.
func NoDefaultAddress() error {
	return apperr.Validation(apperr.FieldError{Field: "shipping_address",
		Message: "is required: no default address is saved in the address book"})
}

// WithDefaultAddress returns the request shipping to a, the shopper's
// default address, for a request sent without one. Its Hash stays that of
// the request as sent, so a replay of the Idempotency-Key with the same body
// is the same order even if the default has changed since.
func (r CheckoutRequest) WithDefaultAddress(a Address) CheckoutRequest {
	r.sentHash = r.Hash()
	r.ShippingAddress = a
	return r
}

// Validate checks the request's fields.
func (r CheckoutRequest) Validate() error { return r.validate(true) }

// ValidateWithoutAddress checks the request's fields but its shipping
// address, which the address book is to give (WithDefaultAddress).
func (r CheckoutRequest) ValidateWithoutAddress() error { return r.validate(false) }

func (r CheckoutRequest) validate(withAddress bool) error {
	v := &apperr.ValidationError{}
	required(v, "payment_method", r.PaymentMethod)
	if strings.TrimSpace(r.PaymentMethod) != "" && !paymentMethodPattern.MatchString(r.PaymentMethod) {
		v.Add("payment_method", "must be a Stripe PaymentMethod id such as pm_card_visa")
	}
	if len(r.PaymentMethod) > maxFieldLen {
		v.Add("payment_method", fmt.Sprintf("must be at most %d characters", maxFieldLen))
	}
	if withAddress {
		validateAddress(v, r.ShippingAddress)
	}
	return v.Err()
}

// validateAddress adds to v the problems of a checkout's shipping address.
func validateAddress(v *apperr.ValidationError, a Address) {
	required(v, "shipping_address.name", a.Name)
	required(v, "shipping_address.line1", a.Line1)
	required(v, "shipping_address.city", a.City)
	required(v, "shipping_address.postal_code", a.PostalCode)
	if len(a.Country) != 2 || strings.ToUpper(a.Country) != a.Country {
		v.Add("shipping_address.country", "must be an ISO 3166-1 alpha-2 code such as DE")
	}
	for field, value := range map[string]string{
		"shipping_address.name": a.Name, "shipping_address.line1": a.Line1,
		"shipping_address.line2": a.Line2, "shipping_address.city": a.City, "shipping_address.region": a.Region,
		"shipping_address.postal_code": a.PostalCode,
	} {
		if len(value) > maxFieldLen {
			v.Add(field, fmt.Sprintf("must be at most %d characters", maxFieldLen))
		}
	}
}

// required adds to v that field is required when value is blank.
func required(v *apperr.ValidationError, field, value string) {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "is required")
	}
}

// Hash fingerprints the request as sent, to tell a replay of an
// Idempotency-Key from a reuse of it with another body.
func (r CheckoutRequest) Hash() string {
	if r.sentHash != "" {
		return r.sentHash
	}
	b, _ := json.Marshal(r) // a struct of strings always marshals
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// NewOrder builds the pending order of a checkout: lines priced by the
// catalog (with their discounts), each merchant's charge (see Price; none
// for an order of lines alone), waiting for the stock reservation until
// deadline. It emits order.placed. Lines must share one currency.
func NewOrder(id, shopperID string, req CheckoutRequest, lines []Line, charges []MerchantCharge, now, deadline time.Time) (Outcome, error) {
	if len(lines) == 0 {
		return Outcome{}, fmt.Errorf("%w: the cart is empty", apperr.ErrConflict)
	}
	for _, l := range lines {
		if l.UnitPrice.Currency != lines[0].UnitPrice.Currency {
			return Outcome{}, fmt.Errorf("%w: the cart mixes currencies %s and %s", apperr.ErrConflict,
				lines[0].UnitPrice.Currency, l.UnitPrice.Currency)
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			return Outcome{}, fmt.Errorf("%w: quantity of %s must be 1 to %d", apperr.ErrConflict, l.ProductID, MaxQuantity)
		}
	}
	if err := ChargesErr(charges); err != nil {
		return Outcome{}, err
	}
	total := Sum(lines)
	if len(charges) > 0 {
		total = Total(charges)
	}
	o := Order{
		ID:              id,
		ShopperID:       shopperID,
		Status:          StatusPending,
		Lines:           lines,
		Charges:         charges,
		Total:           total,
		ShippingAddress: req.ShippingAddress,
		PaymentMethod:   req.PaymentMethod,
		PaymentStatus:   PaymentNotStarted,
		RequestHash:     req.Hash(),
		Deadline:        deadline,
		CreatedAt:       now,
		UpdatedAt:       now,
	}
	return changed(o, Event{Kind: EventPlaced}), nil
}

// SameRequest checks that a replayed Idempotency-Key carries the request
// that created the order; another body is ErrUnprocessable.
func (o Order) SameRequest(req CheckoutRequest) error {
	if o.RequestHash != req.Hash() {
		return fmt.Errorf("%w: Idempotency-Key was already used with a different request", apperr.ErrUnprocessable)
	}
	return nil
}
