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

// lineJSON is an order line (DESIGN §5).
type lineJSON struct {
	ProductID  string    `json:"product_id"`
	MerchantID string    `json:"merchant_id"`
	Name       string    `json:"name"`
	UnitPrice  moneyJSON `json:"unit_price"`
	Quantity   int64     `json:"quantity"`
}

// orderJSON is an order exactly as DESIGN §5 shows it.
type orderJSON struct {
	ID              string      `json:"id"`
	Status          string      `json:"status"`
	CancelReason    string      `json:"cancel_reason,omitempty"`
	Lines           []lineJSON  `json:"lines"`
	Total           moneyJSON   `json:"total"`
	PaymentStatus   string      `json:"payment_status"`
	ShippingAddress addressJSON `json:"shipping_address"`
	CreatedAt       time.Time   `json:"created_at"`
	UpdatedAt       time.Time   `json:"updated_at"`
}

func toOrderJSON(o domain.Order) orderJSON {
	return orderView(o, o.Lines, o.Total)
}

// toMerchantOrderJSON shows a merchant only its own lines, and their total.
func toMerchantOrderJSON(o domain.Order, merchantID string) orderJSON {
	lines := o.LinesOf(merchantID)
	return orderView(o, lines, domain.Sum(lines))
}

func orderView(o domain.Order, lines []domain.Line, total domain.Money) orderJSON {
	out := orderJSON{
		ID:              o.ID,
		Status:          string(o.Status),
		CancelReason:    o.CancelReason,
		Lines:           make([]lineJSON, len(lines)),
		Total:           toMoneyJSON(total),
		PaymentStatus:   string(o.PaymentStatus),
		ShippingAddress: addressJSON(o.ShippingAddress),
		CreatedAt:       o.CreatedAt,
		UpdatedAt:       o.UpdatedAt,
	}
	for i, l := range lines {
		out.Lines[i] = lineJSON{ProductID: l.ProductID, MerchantID: l.MerchantID, Name: l.Name,
			UnitPrice: toMoneyJSON(l.UnitPrice), Quantity: l.Quantity}
	}
	return out
}

// cartJSON is a cart (DESIGN §5), with two additions: available per line
// and prices_stale (see usecase.CartView).
type cartJSON struct {
	Items       []cartLineJSON `json:"items"`
	Total       moneyJSON      `json:"total"`
	PricesStale bool           `json:"prices_stale"`
}

type cartLineJSON struct {
	ProductID string    `json:"product_id"`
	Name      string    `json:"name"`
	UnitPrice moneyJSON `json:"unit_price"`
	Quantity  int64     `json:"quantity"`
	LineTotal moneyJSON `json:"line_total"`
	Available bool      `json:"available"`
}

func toCartJSON(v usecase.CartView) cartJSON {
	out := cartJSON{Items: make([]cartLineJSON, len(v.Items)), Total: toMoneyJSON(v.Total), PricesStale: v.PricesStale}
	for i, l := range v.Items {
		out.Items[i] = cartLineJSON{ProductID: l.ProductID, Name: l.Name, UnitPrice: toMoneyJSON(l.UnitPrice),
			Quantity: l.Quantity, LineTotal: toMoneyJSON(l.LineTotal), Available: l.Available}
	}
	return out
}

// listJSON is a page of a list (DESIGN §5).
type listJSON struct {
	Items      []orderJSON `json:"items"`
	NextCursor string      `json:"next_cursor"`
}
