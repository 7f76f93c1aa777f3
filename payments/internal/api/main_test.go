package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/payments/internal/api"
	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/store"
	"github.com/mercato-shop/mercato/payments/internal/testenv"
	"github.com/mercato-shop/mercato/payments/internal/usecase"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/authtest"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestMain(m *testing.M) { os.Exit(testenv.RunWithMongo(m)) }

const webhookPath = "/api/v1/payments/webhooks/stripe"

// fixture is the payments router served over HTTP, with the emulator
// delivering its webhooks to it.
type fixture struct {
	url    string
	svc    *usecase.Service
	st     *store.Store
	db     *mongodb.Store
	em     *stripeemu.Emulator
	issuer *authtest.Issuer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, db := testenv.DB(t)
	em := testenv.Emulator(t, stripeemu.Options{})
	svc := usecase.New(st, testenv.Stripe(t, em, breaker.Options{}), usecase.Options{Logger: testenv.Logger(t)})
	iss := authtest.New(t)
	srv := httpserver.New(httpserver.Options{Service: "payments", Logger: testenv.Logger(t)})
	api.Register(srv.Router(), svc, iss.Verifier(t), em.WebhookSecret(), testenv.Logger(t))
	hs := httptest.NewServer(srv.Router())
	t.Cleanup(hs.Close)
	em.SetWebhookURL(hs.URL + webhookPath)
	return &fixture{url: hs.URL, svc: svc, st: st, db: db, em: em, issuer: iss}
}

func request(order, pm string, amount int64) domain.ChargeRequest {
	return domain.ChargeRequest{OrderID: order, ShopperID: "shopper-" + order, Amount: amount, Currency: "EUR",
		PaymentMethod: pm, Attempt: 1, Deadline: time.Now().Add(time.Minute)}
}

func (f *fixture) payment(t *testing.T, order string) *domain.Payment {
	t.Helper()
	p, err := f.st.Get(context.Background(), order)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// webhookResults are the recorded results of the processed Stripe events
// of an order, by event type.
func (f *fixture) webhookResults(t *testing.T, order string) map[string][]string {
	t.Helper()
	cur, err := f.db.Read.Collection(store.WebhookEventsCollection).Find(context.Background(), bson.M{"order_id": order})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct{ Type, Result string }
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, d := range docs {
		out[d.Type] = append(out[d.Type], d.Result)
	}
	return out
}

// postWebhook posts body with the given Stripe-Signature header.
func (f *fixture) postWebhook(t *testing.T, body []byte, signature string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.url+webhookPath, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// get fetches a payment as caller (no token when caller is nil).
func (f *fixture) get(t *testing.T, order string, caller *auth.Caller) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.url+"/api/v1/payments/"+order, nil)
	if caller != nil {
		req.Header.Set("Authorization", "Bearer "+f.issuer.Token(*caller))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// paymentIntentEvent is a Stripe event about a PaymentIntent of order.
func paymentIntentEvent(id, eventType, pi, order, status string) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2023-10-16","created":%d,"type":%q,"livemode":false,"pending_webhooks":1,
"data":{"object":{"id":%q,"object":"payment_intent","amount":1000,"currency":"eur","status":%q,"livemode":false,"metadata":{"order_id":%q,"attempt":"1"}}}}`,
		id, time.Now().Unix(), eventType, pi, status, order))
}
