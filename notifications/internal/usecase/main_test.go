package usecase_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/store"
	"github.com/mercato-shop/mercato/notifications/internal/testenv"
	"github.com/mercato-shop/mercato/notifications/internal/usecase"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/testkit/mailsink"
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m)) }

// world is a shopper and two merchants, registered through users.events.
type world struct {
	env       *testenv.Env
	publish   func(...events.Envelope)
	shopper   string
	merchants [2]string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	env := testenv.New(t, usecase.Options{})
	w := &world{env: env, publish: env.Consume(t), shopper: embeddedtest.UniqueName("shopper"),
		merchants: [2]string{embeddedtest.UniqueName("m1"), embeddedtest.UniqueName("m2")}}
	w.publish(
		testenv.Event(t, events.SourceUsers, events.TypeUserRegistered, w.shopper, events.UserRegistered{
			UserID: w.shopper, Email: w.shopper + "@shop.test", Name: "Ada Shopper", Roles: []string{"shopper"}}),
		testenv.Event(t, events.SourceUsers, events.TypeUserRegistered, "u-"+w.merchants[0], events.UserRegistered{
			UserID: "u-" + w.merchants[0], Email: w.merchants[0] + "@shop.test", Name: "Lamp Owner", Roles: []string{"merchant"},
			MerchantID: w.merchants[0], StoreName: "Lamp Works"}),
		testenv.Event(t, events.SourceUsers, events.TypeUserRegistered, "u-"+w.merchants[1], events.UserRegistered{
			UserID: "u-" + w.merchants[1], Email: w.merchants[1] + "@shop.test", Name: "Mug Owner", Roles: []string{"merchant"},
			MerchantID: w.merchants[1], StoreName: "Mug Co"}),
	)
	return w
}

// welcomed waits until the three welcome emails are out.
func (w *world) welcomed(t *testing.T) {
	t.Helper()
	testenv.Eventually(t, 60*time.Second, "welcome emails", func() (bool, string) {
		n := len(withSubject(allMail(t, w.env.Sink), "Welcome"))
		return n == 3, fmt.Sprint(n)
	})
	queueEmpty(t, w.env.Store)
}

func (w *world) lines() []events.OrderLine {
	return []events.OrderLine{
		{ProductID: "p-lamp", MerchantID: w.merchants[0], Name: "Desk Lamp", UnitPrice: events.Money{Amount: 2500, Currency: "EUR"}, Quantity: 2},
		{ProductID: "p-mug", MerchantID: w.merchants[1], Name: "Ceramic Mug", UnitPrice: events.Money{Amount: 900, Currency: "EUR"}, Quantity: 1},
	}
}

// place publishes order.placed and returns the order id.
func (w *world) place(t *testing.T) string {
	t.Helper()
	id := embeddedtest.UniqueName("order")
	w.publish(testenv.Event(t, events.SourceOrders, events.TypeOrderPlaced, id, events.OrderPlaced{
		OrderID: id, ShopperID: w.shopper, Lines: w.lines(), Total: events.Money{Amount: 5900, Currency: "EUR"}}))
	return id
}

func (w *world) paid(t *testing.T, orderID string) events.Envelope {
	t.Helper()
	return testenv.Event(t, events.SourceOrders, events.TypeOrderPaid, orderID, events.OrderPaid{
		OrderID: orderID, ShopperID: w.shopper, Lines: w.lines(), Total: events.Money{Amount: 5900, Currency: "EUR"},
		ShippingAddress: events.Address{Name: "Ada Shopper", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}})
}

// mailTo returns the parsed messages the sink received for address.
func mailTo(t *testing.T, sink *mailsink.Sink, address string) []mailsink.Parsed {
	t.Helper()
	var out []mailsink.Parsed
	for _, m := range sink.Messages() {
		if len(m.To) == 1 && m.To[0] == address {
			p, err := mailsink.Parse(m.Raw)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
	}
	return out
}

// allMail parses every message the sink received.
func allMail(t *testing.T, sink *mailsink.Sink) []mailsink.Parsed {
	t.Helper()
	var out []mailsink.Parsed
	for _, m := range sink.Messages() {
		p, err := mailsink.Parse(m.Raw)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func withSubject(msgs []mailsink.Parsed, part string) []mailsink.Parsed {
	var out []mailsink.Parsed
	for _, m := range msgs {
		if strings.Contains(m.Subject, part) {
			out = append(out, m)
		}
	}
	return out
}

// settled waits until the notification of (event, recipient, kind) is no
// longer queued and returns it.
func settled(t *testing.T, st *store.Store, eventID, recipient string, kind domain.Kind) domain.Notification {
	t.Helper()
	var n domain.Notification
	testenv.Eventually(t, 60*time.Second, "notification "+string(kind)+" settled", func() (bool, string) {
		var err error
		n, err = st.Notification(context.Background(), domain.NotificationID(eventID, recipient, kind))
		if err != nil {
			return false, err.Error()
		}
		return n.Status != domain.StatusQueued, string(n.Status) + " " + n.LastError
	})
	return n
}

// queueEmpty waits until no work is due or leased.
func queueEmpty(t *testing.T, st *store.Store) {
	t.Helper()
	testenv.Eventually(t, 60*time.Second, "queue drained", func() (bool, string) {
		n, err := st.QueueLength(context.Background())
		return err == nil && n == 0, fmt.Sprintf("%d queued, %v", n, err)
	})
}
