package domain_test

import (
	"errors"
	"testing"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

func validRequest() domain.CheckoutRequest {
	return domain.CheckoutRequest{PaymentMethod: "pm_card_visa", ShippingAddress: domain.Address{
		Name: "Ada", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}}
}

func TestOrderIDIsDeterministicPerShopperAndKey(t *testing.T) {
	if first, again := domain.OrderID("s1", "k1"), domain.OrderID("s1", "k1"); first != again {
		t.Fatal("same shopper and key gave two ids")
	}
	if domain.OrderID("s1", "k1") == domain.OrderID("s2", "k1") || domain.OrderID("s1", "k1") == domain.OrderID("s1", "k2") {
		t.Fatal("different shoppers or keys share an id")
	}
	if domain.OrderID("s1", "ab\x00c") == domain.OrderID("s1\x00ab", "c") {
		t.Fatal("the separator is ambiguous")
	}
}

func TestCheckoutRequestValidationAndHash(t *testing.T) {
	if err := validRequest().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := validRequest()
	bad.PaymentMethod, bad.ShippingAddress.Country = "", "Germany"
	var v *apperr.ValidationError
	if err := bad.Validate(); !errors.As(err, &v) || len(v.Fields) != 2 {
		t.Fatalf("err = %v", err)
	}
	other := validRequest()
	other.ShippingAddress.Line2 = "Apt 2"
	if first, again := validRequest().Hash(), validRequest().Hash(); first != again || first == other.Hash() {
		t.Fatal("hash does not identify the request")
	}
	for _, key := range []string{"", string(make([]byte, 256))} {
		if err := domain.ValidateIdempotencyKey(key); !errors.Is(err, apperr.ErrValidation) {
			t.Fatalf("key of %d bytes accepted", len(key))
		}
	}
}

// A payment method that is no PaymentMethod id is refused up front: it
// would otherwise place an order, hold its stock and empty the cart only
// for Stripe to decline it.
func TestCheckoutRequestRefusesWhatIsNoPaymentMethodID(t *testing.T) {
	for _, pm := range []string{"pm_card_visa", "pm_1NvLq2CZ6qsJgndJkXwS0RgA", "pm_card_chargeDeclinedInsufficientFunds"} {
		req := validRequest()
		req.PaymentMethod = pm
		if err := req.Validate(); err != nil {
			t.Errorf("%q refused: %v", pm, err)
		}
	}
	for _, pm := range []string{"$where", `{"$gt":""}`, "pm_", "card visa", "pm_card_visa\n", "4242424242424242", "tok_visa x"} {
		req := validRequest()
		req.PaymentMethod = pm
		var v *apperr.ValidationError
		if err := req.Validate(); !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Field != "payment_method" {
			t.Errorf("%q: err = %v, want one payment_method field error", pm, err)
		}
	}
}

func TestNewOrder(t *testing.T) {
	lines := order(domain.StatusPending, domain.PaymentNotStarted).Lines
	out, err := domain.NewOrder("o1", "s1", validRequest(), lines, nil, t0, deadline)
	if err != nil {
		t.Fatal(err)
	}
	o := out.Order
	if o.Status != domain.StatusPending || o.Total.Amount != 2900 || o.Total.Currency != "EUR" || !o.Deadline.Equal(deadline) {
		t.Fatalf("order %+v", o)
	}
	if len(out.Events) != 1 || out.Events[0].Kind != domain.EventPlaced {
		t.Fatalf("events %+v", out.Events)
	}
	if o.SameRequest(validRequest()) != nil {
		t.Fatal("the same request was refused")
	}
	other := validRequest()
	other.PaymentMethod = "pm_card_mastercard"
	if err := o.SameRequest(other); !errors.Is(err, apperr.ErrUnprocessable) {
		t.Fatalf("another request: %v", err)
	}
	if _, err := domain.NewOrder("o1", "s1", validRequest(), nil, nil, t0, deadline); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("empty cart: %v", err)
	}
	mixed := append([]domain.Line(nil), lines...)
	mixed[1].UnitPrice.Currency = "USD"
	if _, err := domain.NewOrder("o1", "s1", validRequest(), mixed, nil, t0, deadline); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("mixed currencies: %v", err)
	}
}

func TestCartRules(t *testing.T) {
	c := domain.Cart{Items: []domain.CartItem{{ProductID: "p1", UnitPrice: domain.Money{Amount: 1, Currency: "EUR"}, Quantity: 1}}}
	if err := c.CanHold(domain.CartItem{ProductID: "p2", UnitPrice: domain.Money{Amount: 1, Currency: "USD"}}); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("another currency: %v", err)
	}
	if err := c.CanHold(domain.CartItem{ProductID: "p1", UnitPrice: domain.Money{Amount: 1, Currency: "USD"}}); err != nil {
		t.Fatalf("the only item changing currency: %v", err)
	}
	for _, q := range []int64{-1, 100} {
		if domain.ValidateQuantity(q) == nil {
			t.Fatalf("quantity %d accepted", q)
		}
	}
	for _, id := range []string{"", "a.b", "$x", "a/b"} {
		if domain.ValidateProductID(id) == nil {
			t.Fatalf("product id %q accepted", id)
		}
	}
}

func TestCartCodesOnePerMerchant(t *testing.T) {
	c := domain.Cart{
		Items: []domain.CartItem{{ProductID: "p1", MerchantID: "m1"}, {ProductID: "p2", MerchantID: "m2"}, {ProductID: "p3", MerchantID: "m1"}},
		Codes: []domain.AppliedCode{{MerchantID: "m1", Code: "OLD"}, {MerchantID: "m2", Code: "KEEP"}},
	}
	if got := c.MerchantIDs(); len(got) != 2 || got[0] != "m1" || got[1] != "m2" {
		t.Fatalf("merchants %v", got)
	}
	got := c.WithCodes(domain.AppliedCode{MerchantID: "m1", Code: "NEW"})
	if len(got) != 2 || got[0] != (domain.AppliedCode{MerchantID: "m2", Code: "KEEP"}) || got[1] != (domain.AppliedCode{MerchantID: "m1", Code: "NEW"}) {
		t.Fatalf("codes %+v", got)
	}
	if c.Codes[0].Code != "OLD" {
		t.Fatal("WithCodes changed the cart")
	}
}
