package store

import (
	"time"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// moneyDoc is money as stored.
type moneyDoc struct {
	Amount   int64  `bson:"amount"`
	Currency string `bson:"currency"`
}

func toMoneyDoc(m domain.Money) moneyDoc       { return moneyDoc{m.Amount, m.Currency} }
func (m moneyDoc) domain() domain.Money        { return domain.Money{Amount: m.Amount, Currency: m.Currency} }
func toAddressDoc(a domain.Address) addressDoc { return addressDoc(a) }

// addressDoc is a shipping address as stored.
type addressDoc struct {
	Name       string `bson:"name"`
	Line1      string `bson:"line1"`
	Line2      string `bson:"line2,omitempty"`
	City       string `bson:"city"`
	Region     string `bson:"region,omitempty"`
	PostalCode string `bson:"postal_code"`
	Country    string `bson:"country"`
}

// lineDoc is an order line as stored.
type lineDoc struct {
	ProductID  string     `bson:"product_id"`
	MerchantID string     `bson:"merchant_id"`
	Name       string     `bson:"name"`
	UnitPrice  moneyDoc   `bson:"unit_price"`
	Quantity   int64      `bson:"quantity"`
	Discount   *moneyDoc  `bson:"discount,omitempty"`
	Weight     int64      `bson:"weight_grams,omitempty"`
	Variant    variantDoc `bson:",inline"`
	ShippedAt  *time.Time `bson:"shipped_at,omitempty"`
}

// variantDoc is the variant of a cart item or an order line as stored,
// both fields absent for a product without variants (and on documents
// written before variants). The options are an array of pairs ordered by
// name, not a sub-document, so that no option name becomes a field name.
type variantDoc struct {
	VariantOf      string      `bson:"variant_of,omitempty"`
	VariantOptions []optionDoc `bson:"variant_options,omitempty"`
}

// optionDoc is one option value of a variant.
type optionDoc struct {
	Name  string `bson:"name"`
	Value string `bson:"value"`
}

func toVariantDoc(v domain.Variant) variantDoc {
	doc := variantDoc{VariantOf: v.Of}
	for _, name := range v.OptionNames() {
		doc.VariantOptions = append(doc.VariantOptions, optionDoc{Name: name, Value: v.Options[name]})
	}
	return doc
}

func (d variantDoc) domain() domain.Variant {
	v := domain.Variant{Of: d.VariantOf}
	if len(d.VariantOptions) > 0 {
		v.Options = make(map[string]string, len(d.VariantOptions))
		for _, o := range d.VariantOptions {
			v.Options[o.Name] = o.Value
		}
	}
	return v
}

// chargeDoc is a merchant's charge of an order as stored.
type chargeDoc struct {
	MerchantID   string   `bson:"merchant_id"`
	Subtotal     moneyDoc `bson:"subtotal"`
	DiscountCode string   `bson:"discount_code,omitempty"`
	Discount     moneyDoc `bson:"discount"`
	Shipping     moneyDoc `bson:"shipping"`
	WeightGrams  int64    `bson:"weight_grams,omitempty"`
}

// orderDoc is an order as stored. MerchantIDs serves the merchant's list;
// Deadline is present only while the order waits, for the sweep.
type orderDoc struct {
	ID                 string         `bson:"_id"`
	ShopperID          string         `bson:"shopper_id"`
	Status             string         `bson:"status"`
	CancelReason       string         `bson:"cancel_reason,omitempty"`
	Lines              []lineDoc      `bson:"lines"`
	Charges            []chargeDoc    `bson:"charges,omitempty"`
	Total              moneyDoc       `bson:"total"`
	ShippingAddress    addressDoc     `bson:"shipping_address"`
	PaymentMethod      string         `bson:"payment_method"`
	PaymentStatus      string         `bson:"payment_status"`
	PaymentAttempt     int            `bson:"payment_attempt"`
	PaymentIntentID    string         `bson:"payment_intent_id,omitempty"`
	CancelledWhilePaid bool           `bson:"cancelled_while_paid,omitempty"`
	RequestHash        string         `bson:"request_hash"`
	CartVersion        int64          `bson:"cart_version"`
	MerchantIDs        []string       `bson:"merchant_ids"`
	Deadline           *time.Time     `bson:"deadline,omitempty"`
	CreatedAt          time.Time      `bson:"created_at"`
	UpdatedAt          time.Time      `bson:"updated_at"`
	Version            int64          `bson:"version"`
	Outbox             []outbox.Entry `bson:"outbox,omitempty"`
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func fromOptionalTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func toLineDocs(lines []domain.Line) []lineDoc {
	docs := make([]lineDoc, len(lines))
	for i, l := range lines {
		docs[i] = lineDoc{ProductID: l.ProductID, MerchantID: l.MerchantID, Name: l.Name, UnitPrice: toMoneyDoc(l.UnitPrice),
			Quantity: l.Quantity, Weight: l.WeightGrams, Variant: toVariantDoc(l.Variant), ShippedAt: optionalTime(l.ShippedAt)}
		if l.Discount.Amount != 0 {
			m := toMoneyDoc(l.Discount)
			docs[i].Discount = &m
		}
	}
	return docs
}

func toChargeDocs(charges []domain.MerchantCharge) []chargeDoc {
	var docs []chargeDoc
	for _, c := range charges {
		docs = append(docs, chargeDoc{MerchantID: c.MerchantID, Subtotal: toMoneyDoc(c.Subtotal), DiscountCode: c.DiscountCode,
			Discount: toMoneyDoc(c.Discount), Shipping: toMoneyDoc(c.Shipping), WeightGrams: c.WeightGrams})
	}
	return docs
}

func fromChargeDocs(docs []chargeDoc) []domain.MerchantCharge {
	var charges []domain.MerchantCharge
	for _, c := range docs {
		charges = append(charges, domain.MerchantCharge{MerchantID: c.MerchantID, Subtotal: c.Subtotal.domain(),
			DiscountCode: c.DiscountCode, Discount: c.Discount.domain(), Shipping: c.Shipping.domain(), WeightGrams: c.WeightGrams})
	}
	return charges
}

func toOrderDoc(o domain.Order) orderDoc {
	return orderDoc{
		ID:                 o.ID,
		ShopperID:          o.ShopperID,
		Status:             string(o.Status),
		CancelReason:       o.CancelReason,
		Lines:              toLineDocs(o.Lines),
		Charges:            toChargeDocs(o.Charges),
		Total:              toMoneyDoc(o.Total),
		ShippingAddress:    toAddressDoc(o.ShippingAddress),
		PaymentMethod:      o.PaymentMethod,
		PaymentStatus:      string(o.PaymentStatus),
		PaymentAttempt:     o.PaymentAttempt,
		PaymentIntentID:    o.PaymentIntentID,
		CancelledWhilePaid: o.CancelledWhilePaid,
		RequestHash:        o.RequestHash,
		CartVersion:        o.CartVersion,
		MerchantIDs:        o.MerchantIDs(),
		Deadline:           optionalTime(o.Deadline),
		CreatedAt:          o.CreatedAt,
		UpdatedAt:          o.UpdatedAt,
		Version:            o.Version,
	}
}

func (d orderDoc) domain() domain.Order {
	lines := make([]domain.Line, len(d.Lines))
	for i, l := range d.Lines {
		lines[i] = domain.Line{ProductID: l.ProductID, MerchantID: l.MerchantID, Name: l.Name,
			UnitPrice: l.UnitPrice.domain(), Quantity: l.Quantity, WeightGrams: l.Weight, Variant: l.Variant.domain(),
			ShippedAt: fromOptionalTime(l.ShippedAt)}
		if l.Discount != nil {
			lines[i].Discount = l.Discount.domain()
		}
	}
	return domain.Order{
		ID:                 d.ID,
		ShopperID:          d.ShopperID,
		Status:             domain.Status(d.Status),
		CancelReason:       d.CancelReason,
		Lines:              lines,
		Charges:            fromChargeDocs(d.Charges),
		Total:              d.Total.domain(),
		ShippingAddress:    domain.Address(d.ShippingAddress),
		PaymentMethod:      d.PaymentMethod,
		PaymentStatus:      domain.PaymentStatus(d.PaymentStatus),
		PaymentAttempt:     d.PaymentAttempt,
		PaymentIntentID:    d.PaymentIntentID,
		CancelledWhilePaid: d.CancelledWhilePaid,
		RequestHash:        d.RequestHash,
		CartVersion:        d.CartVersion,
		Deadline:           fromOptionalTime(d.Deadline),
		CreatedAt:          d.CreatedAt.UTC(),
		UpdatedAt:          d.UpdatedAt.UTC(),
		Version:            d.Version,
	}
}
