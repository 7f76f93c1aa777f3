package domain_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

func TestAnAddressIsEmptyWhenEveryFieldIsBlank(t *testing.T) {
	if !(domain.Address{}).IsEmpty() || !(domain.Address{Name: " ", Country: "\t"}).IsEmpty() {
		t.Fatal("a blank address is not empty")
	}
	for _, a := range []domain.Address{{Name: "Ada"}, {Region: "BY"}, {Country: "DE"}, {Line2: "Apt 2"}} {
		if a.IsEmpty() {
			t.Fatalf("%+v is empty", a)
		}
	}
}

// Orders placed before the default address keep their stored
// fingerprint: Hash is still the SHA-256 of the request's JSON.
func TestTheFingerprintOfASentRequestIsUnchanged(t *testing.T) {
	r := validRequest()
	b, err := json.Marshal(struct {
		PaymentMethod   string
		ShippingAddress domain.Address
	}{r.PaymentMethod, r.ShippingAddress})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if r.Hash() != hex.EncodeToString(sum[:]) {
		t.Fatal("the fingerprint of a request as sent changed: stored orders would no longer replay")
	}
}

func TestARequestWithTheDefaultAddressKeepsTheFingerprintAsSent(t *testing.T) {
	sent := domain.CheckoutRequest{PaymentMethod: "pm_card_visa"}
	if err := sent.Validate(); err == nil {
		t.Fatal("a request without an address is valid")
	}
	if err := sent.ValidateWithoutAddress(); err != nil {
		t.Fatalf("without its address: %v", err)
	}
	var v *apperr.ValidationError
	if err := (domain.CheckoutRequest{PaymentMethod: "card"}).ValidateWithoutAddress(); !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Field != "payment_method" {
		t.Fatalf("a bad payment method without an address: %v", err)
	}
	filled := sent.WithDefaultAddress(validRequest().ShippingAddress)
	if filled.ShippingAddress != validRequest().ShippingAddress || filled.Validate() != nil {
		t.Fatalf("filled %+v", filled)
	}
	if filled.Hash() != sent.Hash() || filled.Hash() == validRequest().Hash() {
		t.Fatal("the filled request's fingerprint is not that of the body as sent")
	}
	o, err := domain.NewOrder("o1", "s1", filled, []domain.Line{{ProductID: "p1", MerchantID: "m1", Name: "Mug",
		UnitPrice: domain.Money{Amount: 100, Currency: "EUR"}, Quantity: 1}}, nil, t0, deadline)
	if err != nil || o.Order.ShippingAddress != filled.ShippingAddress || o.Order.SameRequest(sent) != nil ||
		o.Order.SameRequest(validRequest()) == nil {
		t.Fatalf("order %+v, %v", o.Order, err)
	}
	if err := domain.NoDefaultAddress(); !errors.As(err, &v) || v.Fields[0].Field != "shipping_address" {
		t.Fatalf("NoDefaultAddress = %v", err)
	}
}
