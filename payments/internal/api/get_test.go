package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/mercato-shop/mercato/platform/auth"
)

func TestOwnerSeesThePaymentAndNobodyElse(t *testing.T) {
	f := newFixture(t)
	req := request("order-read", "pm_card_visa", 3000)
	if err := f.svc.RequestPayment(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestRefund(context.Background(), req.OrderID, "k1", 1000, "shopper_cancelled"); err != nil {
		t.Fatal(err)
	}
	owner := auth.Caller{UserID: req.ShopperID, Roles: []string{"shopper"}}
	status, body := f.get(t, req.OrderID, &owner)
	if status != http.StatusOK {
		t.Fatalf("owner: status %d, %v", status, body)
	}
	refunds, _ := body["refunds"].([]any)
	amount, _ := body["amount"].(map[string]any)
	refunded, _ := body["refunded_amount"].(map[string]any)
	if body["order_id"] != req.OrderID || body["status"] != "partially_refunded" || amount["amount"] != 3000.0 || amount["currency"] != "EUR" ||
		refunded["amount"] != 1000.0 || refunded["currency"] != "EUR" || body["payment_intent_id"] == "" || len(refunds) != 1 {
		t.Errorf("owner sees %v", body)
	}
	stranger := auth.Caller{UserID: "someone-else", Roles: []string{"shopper"}}
	if status, body := f.get(t, req.OrderID, &stranger); status != http.StatusNotFound || body["code"] != "not_found" {
		t.Errorf("another shopper: status %d, %v; want 404", status, body)
	}
	if status, _ := f.get(t, "order-missing", &owner); status != http.StatusNotFound {
		t.Errorf("unknown order: status %d, want 404", status)
	}
	if status, _ := f.get(t, req.OrderID, nil); status != http.StatusUnauthorized {
		t.Errorf("no token: status %d, want 401", status)
	}
}
