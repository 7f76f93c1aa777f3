package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/mercato-shop/mercato/platform/events"
)

type listBody struct {
	Items      []orderBody `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

// placeOrder checks out the shopper's freshly filled cart.
func (e *env) placeOrder(token, key string) orderBody {
	e.t.Helper()
	e.fillCart(token)
	return decode[orderBody](e.t, e.do(http.MethodPost, "/api/v1/checkout", token, checkoutBody("pm_card_visa"), "Idempotency-Key", key), http.StatusAccepted)
}

// pay drives an order through the saga to paid, as the catalog's and
// payments' events would.
func (e *env) pay(orderID string) {
	e.t.Helper()
	ctx := context.Background()
	if err := e.svc.StockReserved(ctx, events.StockReserved{OrderID: orderID}); err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.PaymentSucceeded(ctx, events.PaymentSucceeded{OrderID: orderID, PaymentIntentID: "pi_1", Attempt: 1}); err != nil {
		e.t.Fatal(err)
	}
}

func TestOrdersAreVisibleToTheirOwnerOnly(t *testing.T) {
	e := newEnv(t)
	owner := e.shopper("s1")
	o := e.placeOrder(owner, "k1")
	for name, tok := range map[string]string{
		"another shopper":              e.shopper("s2"),
		"a merchant of the order":      e.merchant("u-m1", "m1"),
		"a merchant with the same sub": e.merchant("s1x", "m2"),
	} {
		t.Run(name, func(t *testing.T) {
			if code := problem(t, e.do(http.MethodGet, "/api/v1/orders/"+o.ID, tok, nil), http.StatusNotFound); code != "not_found" {
				t.Fatalf("get: %q", code)
			}
			if code := problem(t, e.do(http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", tok, nil), http.StatusNotFound); code != "not_found" {
				t.Fatalf("cancel: %q", code)
			}
			if list := decode[listBody](t, e.do(http.MethodGet, "/api/v1/orders", tok, nil), http.StatusOK); len(list.Items) != 0 {
				t.Fatalf("list shows %+v", list.Items)
			}
		})
	}
	if got := decode[orderBody](t, e.do(http.MethodGet, "/api/v1/orders/"+o.ID, owner, nil), http.StatusOK); got.Status != "pending" {
		t.Fatalf("owner sees %+v", got)
	}
	if problem(t, e.do(http.MethodGet, "/api/v1/orders/"+o.ID, "", nil), http.StatusUnauthorized) != "unauthorized" {
		t.Fatal("anonymous read")
	}
}

func TestOrderListIsNewestFirstAndPaged(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	var placed []string
	for i := range 3 {
		placed = append(placed, e.placeOrder(tok, fmt.Sprintf("k%d", i)).ID)
	}
	first := decode[listBody](t, e.do(http.MethodGet, "/api/v1/orders?limit=2", tok, nil), http.StatusOK)
	if len(first.Items) != 2 || first.NextCursor == "" || first.Items[0].ID != placed[2] {
		t.Fatalf("first page %+v", first)
	}
	second := decode[listBody](t, e.do(http.MethodGet, "/api/v1/orders?limit=2&cursor="+first.NextCursor, tok, nil), http.StatusOK)
	if len(second.Items) != 1 || second.NextCursor != "" || second.Items[0].ID != placed[0] {
		t.Fatalf("second page %+v", second)
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=x", "cursor=!!"} {
		if problem(t, e.do(http.MethodGet, "/api/v1/orders?"+q, tok, nil), http.StatusBadRequest) != "validation_failed" {
			t.Fatalf("%s accepted", q)
		}
	}
}

func TestShopperCancelsAPendingOrder(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	o := e.placeOrder(tok, "k1")
	got := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", tok, nil), http.StatusOK)
	if got.Status != "cancelled" || got.CancelReason != "shopper_cancelled" {
		t.Fatalf("after cancel: %+v", got)
	}
	// Cancelling again is harmless; the saga's late events change nothing.
	if again := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", tok, nil), http.StatusOK); again.Status != "cancelled" {
		t.Fatalf("second cancel: %+v", again)
	}
	if err := e.svc.StockReserved(context.Background(), events.StockReserved{OrderID: o.ID}); err != nil {
		t.Fatal(err)
	}
	if after := decode[orderBody](t, e.do(http.MethodGet, "/api/v1/orders/"+o.ID, tok, nil), http.StatusOK); after.Status != "cancelled" {
		t.Fatalf("late stock.reserved revived the order: %+v", after)
	}
}

func TestMerchantsSeeAndShipOnlyTheirLines(t *testing.T) {
	e := newEnv(t)
	shopper := e.shopper("s1")
	o := e.placeOrder(shopper, "k1")
	m1, m2, m3 := e.merchant("u1", "m1"), e.merchant("u2", "m2"), e.merchant("u3", "m3")

	list := decode[listBody](t, e.do(http.MethodGet, "/api/v1/merchant/orders", m1, nil), http.StatusOK)
	if len(list.Items) != 1 || len(list.Items[0].Lines) != 1 || list.Items[0].Lines[0].MerchantID != "m1" || list.Items[0].Total.Amount != 2400 {
		t.Fatalf("m1 sees %+v", list.Items)
	}
	if list := decode[listBody](t, e.do(http.MethodGet, "/api/v1/merchant/orders", m3, nil), http.StatusOK); len(list.Items) != 0 {
		t.Fatalf("m3 sees %+v", list.Items)
	}
	if problem(t, e.do(http.MethodPost, "/api/v1/merchant/orders/"+o.ID+"/ship", m1, nil), http.StatusConflict) != "conflict" {
		t.Fatal("an unpaid order shipped")
	}
	if problem(t, e.do(http.MethodGet, "/api/v1/merchant/orders", shopper, nil), http.StatusForbidden) != "forbidden" {
		t.Fatal("a shopper read merchant orders")
	}

	e.pay(o.ID)
	if problem(t, e.do(http.MethodPost, "/api/v1/merchant/orders/"+o.ID+"/ship", m3, nil), http.StatusNotFound) != "not_found" {
		t.Fatal("a merchant without lines shipped")
	}
	shipped := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/merchant/orders/"+o.ID+"/ship", m1, nil), http.StatusOK)
	if shipped.Status != "paid" || len(shipped.Lines) != 1 {
		t.Fatalf("after m1 shipped: %+v", shipped)
	}
	shipped = decode[orderBody](t, e.do(http.MethodPost, "/api/v1/merchant/orders/"+o.ID+"/ship", m2, nil), http.StatusOK)
	if shipped.Status != "shipped" {
		t.Fatalf("after both shipped: %+v", shipped)
	}
	if got := decode[orderBody](t, e.do(http.MethodGet, "/api/v1/orders/"+o.ID, shopper, nil), http.StatusOK); got.Status != "shipped" || got.PaymentStatus != "succeeded" {
		t.Fatalf("shopper sees %+v", got)
	}
	if problem(t, e.do(http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", shopper, nil), http.StatusConflict) != "conflict" {
		t.Fatal("a shipped order was cancelled")
	}
}

func TestCancellingAPaidOrderRequestsARefundAndEndsRefunded(t *testing.T) {
	e := newEnv(t)
	tok := e.shopper("s1")
	o := e.placeOrder(tok, "k1")
	e.pay(o.ID)
	got := decode[orderBody](t, e.do(http.MethodPost, "/api/v1/orders/"+o.ID+"/cancel", tok, nil), http.StatusOK)
	if got.Status != "cancelled" || got.PaymentStatus != "refund_pending" {
		t.Fatalf("after cancel: %+v", got)
	}
	if err := e.svc.PaymentRefunded(context.Background(), events.PaymentRefunded{OrderID: o.ID, RefundID: "re_1", Full: true}); err != nil {
		t.Fatal(err)
	}
	if got := decode[orderBody](t, e.do(http.MethodGet, "/api/v1/orders/"+o.ID, tok, nil), http.StatusOK); got.Status != "refunded" || got.PaymentStatus != "refunded" {
		t.Fatalf("after refund: %+v", got)
	}
}
