package usecase

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/catalogclient"
	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// CartLine is one line of a shown cart.
type CartLine struct {
	ProductID string
	Name      string
	UnitPrice domain.Money
	Quantity  int64
	LineTotal domain.Money
	// Variant is the product and options of a variant (zero otherwise).
	Variant domain.Variant
	// Discount is the line's share of its merchant's code.
	Discount domain.Money
	// Available is false for a product the catalog no longer sells; such a
	// line counts for nothing and blocks checkout until removed.
	Available bool
}

// CartView is a cart as shown to its shopper, at current prices.
type CartView struct {
	Items []CartLine
	// Merchants are each merchant's subtotal, discount and shipping quote,
	// with the reason a code does not apply or a shipment cannot be quoted.
	Merchants []domain.MerchantCharge
	// Subtotal, Discount and Shipping add up the merchants'; Total is what
	// checkout would charge.
	Subtotal domain.Money
	Discount domain.Money
	Shipping domain.Money
	Total    domain.Money
	// PricesStale tells that the catalog could not be asked, so the prices
	// are those known when each item was last set.
	PricesStale bool
}

// Cart shows a shopper's cart at the catalog's current prices, with each
// merchant's discount and shipping quote. When the catalog is unavailable
// (its breaker open), the cart is still shown, at the last known prices
// and flagged PricesStale; checkout re-prices anyway.
func (s *Service) Cart(ctx context.Context, shopperID string) (CartView, error) {
	cart, err := s.carts.Get(ctx, shopperID)
	if err != nil {
		return CartView{}, err
	}
	return s.view(ctx, cart)
}

// view prices cart as Cart shows it.
func (s *Service) view(ctx context.Context, cart domain.Cart) (CartView, error) {
	ids := make([]string, len(cart.Items))
	for i, it := range cart.Items {
		ids[i] = it.ProductID
	}
	products, err := s.catalog.Products(ctx, ids)
	stale := false
	if errors.Is(err, apperr.ErrUnavailable) {
		s.log.WarnContext(ctx, "catalog unavailable; showing the cart at last known prices", "error", err)
		stale, err = true, nil
	}
	if err != nil {
		return CartView{}, err
	}
	view := CartView{Items: []CartLine{}, Merchants: []domain.MerchantCharge{}, PricesStale: stale}
	var lines []domain.Line
	for _, it := range cart.Items {
		line := CartLine{ProductID: it.ProductID, Name: it.Name, UnitPrice: it.UnitPrice, Quantity: it.Quantity,
			Variant: it.Variant, Available: true}
		priced := domain.Line{ProductID: it.ProductID, MerchantID: it.MerchantID, UnitPrice: it.UnitPrice,
			Quantity: it.Quantity, WeightGrams: it.WeightGrams, Variant: it.Variant}
		if !stale {
			p, ok := products[it.ProductID]
			if ok && !p.HasVariants {
				line.Name, line.UnitPrice, line.Variant = p.Name, p.Price, p.Variant
				priced.MerchantID, priced.UnitPrice, priced.WeightGrams, priced.Variant = p.MerchantID, p.Price, p.WeightGrams, p.Variant
			} else { // gone, or a product that has gained variants: one of them is sold, not it
				line.Available = false
			}
		}
		line.LineTotal = domain.Money{Currency: line.UnitPrice.Currency}
		line.Discount = line.LineTotal
		if line.Available {
			line.LineTotal.Amount = line.UnitPrice.Amount * line.Quantity
			lines = append(lines, priced)
		}
		view.Items = append(view.Items, line)
	}
	if len(lines) == 0 {
		return view, nil
	}
	var merchants []string
	for _, l := range lines {
		if !slices.Contains(merchants, l.MerchantID) {
			merchants = append(merchants, l.MerchantID)
		}
	}
	p, err := s.pricing(ctx, cart.ShopperID, merchants, cart.Codes)
	if err != nil {
		return CartView{}, err
	}
	priced, charges := domain.Price(lines, p)
	for _, l := range priced {
		for i := range view.Items {
			if view.Items[i].ProductID == l.ProductID && l.Discount.Amount > 0 {
				view.Items[i].Discount = l.Discount
			}
		}
	}
	view.Merchants = charges
	cur := lines[0].UnitPrice.Currency
	view.Subtotal, view.Discount, view.Shipping = domain.Money{Currency: cur}, domain.Money{Currency: cur}, domain.Money{Currency: cur}
	for _, c := range charges {
		view.Subtotal.Amount += c.Subtotal.Amount
		view.Discount.Amount += c.Discount.Amount
		view.Shipping.Amount += c.Shipping.Amount
	}
	view.Total = domain.Total(charges)
	return view, nil
}

// SetCartItem sets the quantity of a product in a shopper's cart (0
// removes it). Adding checks with the catalog that the product exists and
// is not archived. productID may be a variant's id: the item keeps the
// variant's price and weight, its product's name, and which product and
// options it is. A product that has variants is not sold itself: putting
// it is a 400 variant_required problem and changes nothing.
func (s *Service) SetCartItem(ctx context.Context, shopperID, productID string, quantity int64) error {
	if err := errors.Join(domain.ValidateProductID(productID), domain.ValidateQuantity(quantity)); err != nil {
		return mergeValidation(err)
	}
	now := s.now()
	if quantity == 0 {
		return s.carts.RemoveItem(ctx, shopperID, productID, now)
	}
	product, err := s.catalog.Product(ctx, productID)
	if err != nil {
		return err
	}
	if product.HasVariants {
		return domain.VariantRequired(productID)
	}
	cart, err := s.carts.Get(ctx, shopperID)
	if err != nil {
		return err
	}
	product.ID = productID
	item := cartItem(product, quantity, now)
	if existing, ok := cart.Item(productID); ok {
		item.AddedAt = existing.AddedAt
	}
	if err := cart.CanHold(item); err != nil {
		return err
	}
	return s.carts.PutItem(ctx, shopperID, item, now)
}

// ClearCart empties a shopper's cart.
func (s *Service) ClearCart(ctx context.Context, shopperID string) error {
	return s.carts.Clear(ctx, shopperID, s.now())
}

func cartItem(p catalogclient.Product, quantity int64, now time.Time) domain.CartItem {
	return domain.CartItem{ProductID: p.ID, MerchantID: p.MerchantID, Name: p.Name, UnitPrice: p.Price,
		Quantity: quantity, WeightGrams: p.WeightGrams, Variant: p.Variant, AddedAt: now}
}

// mergeValidation joins the field errors of several validation errors
// into one.
func mergeValidation(err error) error {
	merged := &apperr.ValidationError{}
	collect := func(e error) {
		var v *apperr.ValidationError
		if errors.As(e, &v) && v != merged {
			merged.Fields = append(merged.Fields, v.Fields...)
		}
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			collect(e)
		}
	} else {
		collect(err)
	}
	if merged.Err() == nil {
		return err
	}
	return merged
}
