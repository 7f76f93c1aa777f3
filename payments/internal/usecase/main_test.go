package usecase

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/store"
	"github.com/mercato-shop/mercato/payments/internal/stripeapi"
	"github.com/mercato-shop/mercato/payments/internal/testenv"
	"github.com/mercato-shop/mercato/platform/breaker"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestMain(m *testing.M) { os.Exit(testenv.RunWithMongo(m)) }

// fixture is a service on a fresh database, charging the emulator.
type fixture struct {
	svc    *Service
	st     *store.Store
	db     *mongodb.Store
	em     *stripeemu.Emulator
	stripe *stripeapi.Client
}

func newFixture(t *testing.T, b breaker.Options) *fixture {
	t.Helper()
	st, db := testenv.DB(t)
	em := testenv.Emulator(t, stripeemu.Options{})
	client := testenv.Stripe(t, em, b)
	svc := New(st, client, Options{
		Retry:  domain.RetryPolicy{Min: 20 * time.Millisecond, Max: 100 * time.Millisecond},
		Lease:  5 * time.Second,
		Logger: testenv.Logger(t),
	})
	return &fixture{svc: svc, st: st, db: db, em: em, stripe: client}
}

// request is a payment request of order for pm due in a minute.
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
