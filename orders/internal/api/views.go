package api

import (
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/orders/internal/usecase"
)

// moneyJSON is money on the wire.
type moneyJSON struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

func toMoneyJSON(m domain.Money) moneyJSON { return moneyJSON{m.Amount, m.Currency} }

// addressJSON is a shipping address on the wire, in requests and answers.
type addressJSON struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// lineJSON is an order line (docs/api.md) with its share of its
// merchant's discount; a variant's line also names its product and
// options (variantJSON).
type lineJSON struct {
	ProductID  string    `json:"product_id"`
	MerchantID string    `json:"merchant_id"`
	Name       string    `json:"name"`
	UnitPrice  moneyJSON `json:"unit_price"`
	Quantity   int64     `json:"quantity"`
	Discount   moneyJSON `json:"discount"`
	variantJSON
}

// variantJSON is what a cart or order line shows of its variant: the id of
// the product it is a variant of and its option values ({"size": "M"});
// both omitted for a product without variants.
type variantJSON struct {
	VariantOf      string            `json:"variant_of,omitempty"`
	VariantOptions map[string]string `json:"variant_options,omitempty"`
}

func toVariantJSON(v domain.Variant) variantJSON {
	return variantJSON{VariantOf: v.Of, VariantOptions: v.Options}
}

// chargeJSON is one merchant's part of a cart or an order. In a cart,
// discount_error and shipping_error tell why a code does not apply or a
// shipment cannot be quoted (checkout would refuse it with that code).
type chargeJSON struct {
	MerchantID    string       `json:"merchant_id"`
	Subtotal      moneyJSON    `json:"subtotal"`
	DiscountCode  string       `json:"discount_code,omitempty"`
	Discount      moneyJSON    `json:"discount"`
	DiscountError *problemJSON `json:"discount_error,omitempty"`
	Shipping      moneyJSON    `json:"shipping"`
	ShippingError *problemJSON `json:"shipping_error,omitempty"`
	WeightGrams   int64        `json:"weight_grams"`
	Total         moneyJSON    `json:"total"`
}

// problemJSON is a stable code and its explanation.
type problemJSON struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

func toProblemJSON(err error) *problemJSON {
	if err == nil {
		return nil
	}
	code, _ := domain.ProblemCode(err)
	return &problemJSON{Code: code, Detail: err.Error()}
}

func toChargeJSON(c domain.MerchantCharge) chargeJSON {
	return chargeJSON{MerchantID: c.MerchantID, Subtotal: toMoneyJSON(c.Subtotal), DiscountCode: c.DiscountCode,
		Discount: toMoneyJSON(c.Discount), DiscountError: toProblemJSON(c.DiscountErr), Shipping: toMoneyJSON(c.Shipping),
		ShippingError: toProblemJSON(c.ShippingErr), WeightGrams: c.WeightGrams, Total: toMoneyJSON(c.Total())}
}

// orderJSON is an order as docs/api.md shows it, with each merchant's
// charge and the sums of the lines (subtotal), discounts and shipping:
// total = subtotal − discount + shipping.
type orderJSON struct {
	ID              string       `json:"id"`
	Status          string       `json:"status"`
	CancelReason    string       `json:"cancel_reason,omitempty"`
	Lines           []lineJSON   `json:"lines"`
	Merchants       []chargeJSON `json:"merchants"`
	Subtotal        moneyJSON    `json:"subtotal"`
	Discount        moneyJSON    `json:"discount"`
	Shipping        moneyJSON    `json:"shipping"`
	Total           moneyJSON    `json:"total"`
	PaymentStatus   string       `json:"payment_status"`
	ShippingAddress addressJSON  `json:"shipping_address"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
}

func toOrderJSON(o domain.Order) orderJSON {
	return orderView(o, o.Lines, o.Charges, o.Total)
}

// toMerchantOrderJSON shows a merchant only its own lines and charge, and
// their total.
func toMerchantOrderJSON(o domain.Order, merchantID string) orderJSON {
	lines := o.LinesOf(merchantID)
	c, ok := o.ChargeOf(merchantID)
	if !ok {
		return orderView(o, lines, nil, domain.Sum(lines))
	}
	return orderView(o, lines, []domain.MerchantCharge{c}, c.Total())
}

func orderView(o domain.Order, lines []domain.Line, charges []domain.MerchantCharge, total domain.Money) orderJSON {
	subtotal := domain.Sum(lines)
	zero := domain.Money{Currency: total.Currency}
	discount, shipping := zero, zero
	for _, c := range charges {
		discount.Amount += c.Discount.Amount
		shipping.Amount += c.Shipping.Amount
	}
	out := orderJSON{
		ID:              o.ID,
		Status:          string(o.Status),
		CancelReason:    o.CancelReason,
		Lines:           make([]lineJSON, len(lines)),
		Merchants:       []chargeJSON{},
		Subtotal:        toMoneyJSON(subtotal),
		Discount:        toMoneyJSON(discount),
		Shipping:        toMoneyJSON(shipping),
		Total:           toMoneyJSON(total),
		PaymentStatus:   string(o.PaymentStatus),
		ShippingAddress: addressJSON(o.ShippingAddress),
		CreatedAt:       o.CreatedAt,
		UpdatedAt:       o.UpdatedAt,
	}
	for i, l := range lines {
		out.Lines[i] = lineJSON{ProductID: l.ProductID, MerchantID: l.MerchantID, Name: l.Name,
			UnitPrice: toMoneyJSON(l.UnitPrice), Quantity: l.Quantity,
			Discount: moneyJSON{Amount: l.Discount.Amount, Currency: l.UnitPrice.Currency}, variantJSON: toVariantJSON(l.Variant)}
	}
	for _, c := range charges {
		out.Merchants = append(out.Merchants, toChargeJSON(c))
	}
	return out
}

// cartJSON is a cart (docs/api.md), with additions: available and discount
// per line, each merchant's charge (discount and shipping quote), the
// sums, and prices_stale (see usecase.CartView).
type cartJSON struct {
	Items       []cartLineJSON `json:"items"`
	Merchants   []chargeJSON   `json:"merchants"`
	Subtotal    moneyJSON      `json:"subtotal"`
	Discount    moneyJSON      `json:"discount"`
	Shipping    moneyJSON      `json:"shipping"`
	Total       moneyJSON      `json:"total"`
	PricesStale bool           `json:"prices_stale"`
}

type cartLineJSON struct {
	ProductID string    `json:"product_id"`
	Name      string    `json:"name"`
	UnitPrice moneyJSON `json:"unit_price"`
	Quantity  int64     `json:"quantity"`
	LineTotal moneyJSON `json:"line_total"`
	Discount  moneyJSON `json:"discount"`
	Available bool      `json:"available"`
	variantJSON
}

func toCartJSON(v usecase.CartView) cartJSON {
	out := cartJSON{Items: make([]cartLineJSON, len(v.Items)), Merchants: []chargeJSON{}, Subtotal: toMoneyJSON(v.Subtotal),
		Discount: toMoneyJSON(v.Discount), Shipping: toMoneyJSON(v.Shipping), Total: toMoneyJSON(v.Total), PricesStale: v.PricesStale}
	for i, l := range v.Items {
		out.Items[i] = cartLineJSON{ProductID: l.ProductID, Name: l.Name, UnitPrice: toMoneyJSON(l.UnitPrice),
			Quantity: l.Quantity, LineTotal: toMoneyJSON(l.LineTotal), Discount: toMoneyJSON(l.Discount), Available: l.Available,
			variantJSON: toVariantJSON(l.Variant)}
	}
	for _, c := range v.Merchants {
		out.Merchants = append(out.Merchants, toChargeJSON(c))
	}
	return out
}

// listJSON is a page of a list (docs/api.md).
type listJSON struct {
	Items      []orderJSON `json:"items"`
	NextCursor string      `json:"next_cursor"`
}
