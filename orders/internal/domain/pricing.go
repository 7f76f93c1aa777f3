package domain

import (
	"cmp"
	"math/big"
	"slices"
	"time"
)

// MerchantCharge is what one merchant's part of a cart or order comes to:
// its lines' subtotal, the discount of its code, its shipping. Its total
// is Subtotal − Discount + Shipping.
type MerchantCharge struct {
	MerchantID string
	Subtotal   Money
	// DiscountCode is the code applied to the merchant's lines, if any.
	DiscountCode string
	Discount     Money
	Shipping     Money
	WeightGrams  int64
	// DiscountErr and ShippingErr (not stored) tell why the code does not
	// apply or the shipment cannot be quoted (*Problem); the cart shows
	// them, checkout refuses them.
	DiscountErr error
	ShippingErr error
}

// Total is the merchant's part of the order total.
func (c MerchantCharge) Total() Money {
	return Money{c.Subtotal.Amount - c.Discount.Amount + c.Shipping.Amount, c.Subtotal.Currency}
}

// Pricing is what prices a cart besides its lines, per merchant id.
type Pricing struct {
	// Rates are the merchants' rate tables; a merchant without one ships
	// for free.
	Rates map[string]ShippingRates
	// Codes are the codes applied, at most one per merchant.
	Codes map[string]Discount
	// ShopperUses are the uses the shopper already holds of each code.
	ShopperUses map[string]int64
	Now         time.Time
}

// Price sets every line's Discount and returns one charge per merchant, in
// the order of their first line. Lines must share one currency. A code
// that does not apply (Check) discounts nothing and sets DiscountErr; a
// shipment that cannot be quoted sets ShippingErr.
//
// Rounding: a percentage is taken off the merchant's subtotal and rounded
// down to the minor unit; the code's discount is then allocated to the
// merchant's lines by Allocate, so the line discounts add up to it exactly.
// Free-above thresholds compare the subtotal after the discount.
func Price(lines []Line, p Pricing) ([]Line, []MerchantCharge) {
	out := slices.Clone(lines)
	var charges []MerchantCharge
	index := map[string]int{}
	for _, l := range out {
		i, ok := index[l.MerchantID]
		if !ok {
			i = len(charges)
			index[l.MerchantID] = i
			charges = append(charges, MerchantCharge{MerchantID: l.MerchantID, Subtotal: Money{Currency: l.UnitPrice.Currency}})
		}
		charges[i].Subtotal.Amount += l.UnitPrice.Amount * l.Quantity
		charges[i].WeightGrams += l.WeightGrams * l.Quantity
	}
	for i := range charges {
		c := &charges[i]
		c.Discount = Money{Currency: c.Subtotal.Currency}
		if d, ok := p.Codes[c.MerchantID]; ok {
			c.DiscountCode = d.Code
			if err := d.Check(c.Subtotal, p.ShopperUses[c.MerchantID], p.Now); err != nil {
				c.DiscountErr = err
			} else {
				c.Discount.Amount = d.Off(c.Subtotal.Amount)
			}
		}
		allocateTo(out, c.MerchantID, c.Discount)
		after := Money{c.Subtotal.Amount - c.Discount.Amount, c.Subtotal.Currency}
		c.Shipping, c.ShippingErr = p.Rates[c.MerchantID].Quote(after, c.WeightGrams)
	}
	return out, charges
}

// ChargesErr is the first problem of charges, the reason a checkout is
// refused.
func ChargesErr(charges []MerchantCharge) error {
	for _, c := range charges {
		if c.DiscountErr != nil {
			return c.DiscountErr
		}
		if c.ShippingErr != nil {
			return c.ShippingErr
		}
	}
	return nil
}

// allocateTo spreads off over merchantID's lines (Allocate by line total).
func allocateTo(lines []Line, merchantID string, off Money) {
	var idx []int
	var totals []int64
	for i, l := range lines {
		if l.MerchantID == merchantID {
			idx = append(idx, i)
			totals = append(totals, l.UnitPrice.Amount*l.Quantity)
		}
	}
	for k, share := range Allocate(off.Amount, totals) {
		lines[idx[k]].Discount = Money{share, off.Currency}
	}
}

// Allocate splits off over lines whose totals are amounts (off at most
// their sum): each line gets off × its total ÷ the sum, rounded down, and
// the minor units left over go one each to the lines with the largest
// totals (the earlier line first among equals). The shares add up to off
// exactly and none exceeds its line.
func Allocate(off int64, amounts []int64) []int64 {
	shares := make([]int64, len(amounts))
	var sum int64
	for _, a := range amounts {
		sum += a
	}
	if off <= 0 || sum <= 0 {
		return shares
	}
	off = min(off, sum)
	left := off
	for i, a := range amounts {
		shares[i] = mulDiv(off, a, sum)
		left -= shares[i]
	}
	order := make([]int, len(amounts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(amounts[b], amounts[a]) })
	for _, i := range order {
		if left == 0 {
			break
		}
		if shares[i] < amounts[i] {
			shares[i]++
			left--
		}
	}
	return shares
}

// mulDiv is a×b÷c rounded down, for a, b ≥ 0 and c > 0, without overflow
// of the product.
func mulDiv(a, b, c int64) int64 {
	var r big.Int
	r.Mul(big.NewInt(a), big.NewInt(b))
	return r.Quo(&r, big.NewInt(c)).Int64()
}
