package api_test

import (
	"context"
	"maps"
	"net/http"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/orders/internal/store"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/httpserver"
)

// variantLine is what a cart item or an order line shows of its variant.
type variantLine struct {
	ProductID      string            `json:"product_id"`
	Name           string            `json:"name"`
	UnitPrice      money             `json:"unit_price"`
	Quantity       int64             `json:"quantity"`
	VariantOf      string            `json:"variant_of"`
	VariantOptions map[string]string `json:"variant_options"`
}

type variantCartBody struct {
	Items     []variantLine `json:"items"`
	Merchants []chargeBody  `json:"merchants"`
	Shipping  money         `json:"shipping"`
	Total     money         `json:"total"`
}

type variantOrderBody struct {
	ID       string        `json:"id"`
	Lines    []variantLine `json:"lines"`
	Shipping money         `json:"shipping"`
	Total    money         `json:"total"`
}

// putTShirt puts a T-shirt of m1 with variants S (15.00, 200 g) and M (its
// price overridden: 18.00, 250 g), and a plain mug of m1.
func (e *env) putTShirt() {
	e.catalog.putParent("tee", "m1", "T-shirt", 1500, "tee-v1", "tee-v2")
	e.catalog.putVariant("tee-v1", "tee", "m1", "T-shirt", 1500, 200, map[string]string{"size": "S"})
	e.catalog.putVariant("tee-v2", "tee", "m1", "T-shirt", 1800, 250, map[string]string{"size": "M"})
	e.catalog.putWeighing("mug", "m1", "Mug", 1200, 300)
}

// byProduct indexes lines by product id.
func byProduct(lines []variantLine) map[string]variantLine {
	out := map[string]variantLine{}
	for _, l := range lines {
		out[l.ProductID] = l
	}
	return out
}

// checkVariantLines: both variants keep their own id, price and quantity,
// the product's name, and say which product and size they are; the mug
// says nothing of variants.
func checkVariantLines(t *testing.T, what string, lines []variantLine) {
	t.Helper()
	got := byProduct(lines)
	s, m, mug := got["tee-v1"], got["tee-v2"], got["mug"]
	if len(lines) != 3 || s.VariantOf != "tee" || !maps.Equal(s.VariantOptions, map[string]string{"size": "S"}) ||
		s.Name != "T-shirt" || s.UnitPrice.Amount != 1500 || s.Quantity != 2 ||
		m.VariantOf != "tee" || !maps.Equal(m.VariantOptions, map[string]string{"size": "M"}) || m.UnitPrice.Amount != 1800 || m.Quantity != 1 ||
		mug.VariantOf != "" || mug.VariantOptions != nil {
		t.Fatalf("%s lines %+v", what, lines)
	}
}

// Putting a product that has variants is a 400 variant_required problem
// that stores nothing (not even an empty cart); its variants go into the
// cart by their own ids, priced and weighed as each variant, and the
// order, the merchant's view and order.placed carry which product and
// options each line is.
func TestAProductWithVariantsIsRefusedAndItsVariantsAreSold(t *testing.T) {
	e := newEnv(t)
	e.putTShirt()
	if rec := e.do(http.MethodPut, "/api/v1/merchant/shipping", e.merchant("u1", "m1"), weightBands()); rec.Code != http.StatusOK {
		t.Fatalf("rates: %d %s", rec.Code, rec.Body)
	}
	tok := e.shopper("s1")

	rec := e.do(http.MethodPut, "/api/v1/cart/items/tee", tok, qty(1))
	refused := decode[struct {
		Code   string `json:"code"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}](t, rec, http.StatusBadRequest)
	if refused.Code != "variant_required" || len(refused.Errors) != 1 || refused.Errors[0].Field != "product_id" ||
		rec.Header().Get("Content-Type") != httpserver.ContentTypeProblem {
		t.Fatalf("parent put: %s %s", rec.Header().Get("Content-Type"), rec.Body)
	}
	n, err := e.db.Read.Collection(store.CartsCollection).CountDocuments(context.Background(), bson.M{"_id": "s1"})
	if err != nil || n != 0 {
		t.Fatalf("a refused put stored %d carts (%v)", n, err)
	}

	for _, it := range []struct {
		id string
		n  int64
	}{{"tee-v1", 2}, {"tee-v2", 1}, {"mug", 1}} {
		if rec := e.do(http.MethodPut, "/api/v1/cart/items/"+it.id, tok, qty(it.n)); rec.Code != http.StatusOK {
			t.Fatalf("put %s: %d %s", it.id, rec.Code, rec.Body)
		}
	}
	// 2×15.00 + 18.00 + 12.00 = 60.00; 2×200 + 250 + 300 = 950 g, the
	// first band: 3.90.
	cart := decode[variantCartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK)
	checkVariantLines(t, "cart", cart.Items)
	if len(cart.Merchants) != 1 || cart.Merchants[0].WeightGrams != 950 || cart.Shipping.Amount != 390 || cart.Total != (money{6390, "EUR"}) {
		t.Fatalf("cart %+v", cart)
	}

	o := decode[variantOrderBody](t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"), http.StatusAccepted)
	checkVariantLines(t, "placed order", o.Lines)
	if o.Total != (money{6390, "EUR"}) || o.Shipping.Amount != 390 {
		t.Fatalf("order %+v", o)
	}
	got := decode[variantOrderBody](t, e.do(http.MethodGet, "/api/v1/orders/"+o.ID, tok, nil), http.StatusOK)
	checkVariantLines(t, "stored order", got.Lines)
	mine := decode[struct {
		Items []variantOrderBody `json:"items"`
	}](t, e.do(http.MethodGet, "/api/v1/merchant/orders", e.merchant("u1", "m1"), nil), http.StatusOK)
	if len(mine.Items) != 1 {
		t.Fatalf("merchant sees %+v", mine)
	}
	checkVariantLines(t, "merchant's order", mine.Items[0].Lines)

	placed := outboxEvent[events.OrderPlaced](t, e, o.ID, events.TypeOrderPlaced)
	lines := map[string]events.OrderLine{}
	for _, l := range placed.Lines {
		lines[l.ProductID] = l
	}
	if len(lines) != 3 || lines["tee-v1"].VariantOf != "tee" || lines["tee-v2"].VariantOptions["size"] != "M" ||
		lines["tee-v1"].Quantity != 2 || lines["mug"].VariantOf != "" || lines["mug"].VariantOptions != nil {
		t.Fatalf("order.placed lines %+v", placed.Lines)
	}
}

// A product put into a cart before it had variants is, once it has them,
// shown unavailable and blocks checkout (its variants are sold, it is
// not), like a product the catalog no longer sells.
func TestAProductThatGainedVariantsIsNoLongerSold(t *testing.T) {
	e := newEnv(t)
	e.catalog.put("tee", "m1", "T-shirt", 1500)
	tok := e.shopper("s1")
	if rec := e.do(http.MethodPut, "/api/v1/cart/items/tee", tok, qty(1)); rec.Code != http.StatusOK {
		t.Fatalf("put: %d %s", rec.Code, rec.Body)
	}
	e.putTShirt()
	cart := decode[cartBody](t, e.do(http.MethodGet, "/api/v1/cart", tok, nil), http.StatusOK)
	if len(cart.Items) != 1 || cart.Items[0].Available || cart.Total.Amount != 0 {
		t.Fatalf("cart %+v", cart)
	}
	if code := problem(t, e.do(http.MethodPost, "/api/v1/checkout", tok, checkoutBody("pm_card_visa"), "Idempotency-Key", "k1"), http.StatusConflict); code != "conflict" {
		t.Fatalf("checkout code %q", code)
	}
	if n := e.countOrders("s1"); n != 0 {
		t.Fatalf("%d orders stored", n)
	}
}
