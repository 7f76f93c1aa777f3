package domain

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// Cart limits.
const (
	// MaxQuantity is the largest quantity of one product in a cart.
	MaxQuantity = 99
	// MaxCartLines is the largest number of distinct products in a cart.
	MaxCartLines = 50
)

// productIDPattern keeps product ids usable as document keys (no dots, no $).
var productIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)

// CartItem is a product in a cart with what was known of it when added.
type CartItem struct {
	ProductID  string
	MerchantID string
	Name       string
	// UnitPrice is the price when last added; the cart shows current prices.
	UnitPrice Money
	Quantity  int64
	// WeightGrams is one unit's weight when last added (0: unknown).
	WeightGrams int64
	// Variant tells which variant of which product ProductID is (zero for
	// a product without variants).
	Variant Variant
	AddedAt time.Time
}

// AppliedCode is a discount code a shopper applied to a merchant's lines.
type AppliedCode struct {
	MerchantID string
	Code       string
}

// Cart is a shopper's cart.
type Cart struct {
	ShopperID string
	// Items in the order they were first added.
	Items []CartItem
	// Codes are the discount codes applied, at most one per merchant.
	Codes []AppliedCode
	// Version grows with every change.
	Version int64
}

// Item returns the cart's item for productID.
func (c Cart) Item(productID string) (CartItem, bool) {
	for _, it := range c.Items {
		if it.ProductID == productID {
			return it, true
		}
	}
	return CartItem{}, false
}

// ValidateProductID checks a product id from a URL.
func ValidateProductID(id string) error {
	if !productIDPattern.MatchString(id) {
		return apperr.Validation(apperr.FieldError{Field: "product_id", Message: "must be 1 to 100 letters, digits, - or _"})
	}
	return nil
}

// ValidateQuantity checks a requested quantity; 0 removes the item.
func ValidateQuantity(q int64) error {
	if q < 0 || q > MaxQuantity {
		return apperr.Validation(apperr.FieldError{Field: "quantity", Message: fmt.Sprintf("must be 0 to %d", MaxQuantity)})
	}
	return nil
}

// CanHold checks that item can be put into the cart: the cart keeps one
// currency and at most MaxCartLines products.
func (c Cart) CanHold(item CartItem) error {
	if _, ok := c.Item(item.ProductID); !ok && len(c.Items) >= MaxCartLines {
		return fmt.Errorf("%w: a cart holds at most %d products", apperr.ErrConflict, MaxCartLines)
	}
	for _, it := range c.Items {
		if it.ProductID != item.ProductID && it.UnitPrice.Currency != item.UnitPrice.Currency {
			return fmt.Errorf("%w: the cart holds %s items; %s is priced in %s", apperr.ErrConflict,
				it.UnitPrice.Currency, item.ProductID, item.UnitPrice.Currency)
		}
	}
	return nil
}

// MerchantIDs lists the merchants of the cart's items, each once, in the
// order of their first item.
func (c Cart) MerchantIDs() []string {
	var ids []string
	for _, it := range c.Items {
		if !slices.Contains(ids, it.MerchantID) {
			ids = append(ids, it.MerchantID)
		}
	}
	return ids
}

// WithCodes returns the cart's codes with codes applied: each replaces
// the code its merchant had.
func (c Cart) WithCodes(codes ...AppliedCode) []AppliedCode {
	out := slices.DeleteFunc(slices.Clone(c.Codes), func(a AppliedCode) bool {
		return slices.ContainsFunc(codes, func(b AppliedCode) bool { return a.MerchantID == b.MerchantID })
	})
	return append(out, codes...)
}
