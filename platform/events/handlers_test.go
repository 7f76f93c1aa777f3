package events_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mercato-shop/mercato/platform/events"
)

var errPermanent = errors.New("permanent")

func markPermanent(err error) error { return errors.Join(errPermanent, err) }

func TestHandlersDispatchByTypeAndIgnoreUnknownTypes(t *testing.T) {
	h := events.NewHandlers(markPermanent)
	var got []string
	events.On(h, events.TypeOrderPaid, func(_ context.Context, env events.Envelope, d events.OrderPaid) error {
		got = append(got, env.Subject+":"+d.PaymentIntentID)
		return nil
	})
	paid, _ := events.New(events.SourceOrders, events.TypeOrderPaid, "o1", events.OrderPaid{OrderID: "o1", PaymentIntentID: "pi_1"})
	shipped, _ := events.New(events.SourceOrders, events.TypeOrderShipped, "o1", events.OrderShipped{OrderID: "o1"})
	for _, env := range []events.Envelope{paid, shipped} {
		b, _ := env.Marshal()
		if err := h.Handle(context.Background(), b); err != nil {
			t.Fatalf("handle %s: %v", env.Type, err)
		}
	}
	if len(got) != 1 || got[0] != "o1:pi_1" {
		t.Fatalf("handled %v, want only the paid event", got)
	}
}

func TestHandlersReportUndecodableEventsAsPermanent(t *testing.T) {
	h := events.NewHandlers(markPermanent)
	events.On(h, events.TypeOrderPaid, func(context.Context, events.Envelope, events.OrderPaid) error { return nil })
	bad := []byte(`{"specversion":"1.0","id":"x","source":"/orders","type":"mercato.order.paid.v1","data":{"total":"free"}}`)
	for name, payload := range map[string][]byte{"not json": []byte("{"), "wrong data type": bad} {
		if err := h.Handle(context.Background(), payload); !errors.Is(err, errPermanent) {
			t.Errorf("%s: err = %v, want a permanent error", name, err)
		}
	}
}

func TestHandlersPassHandlerErrorsThrough(t *testing.T) {
	h := events.NewHandlers(markPermanent)
	transient := errors.New("store down")
	events.On(h, events.TypeOrderPaid, func(context.Context, events.Envelope, events.OrderPaid) error { return transient })
	env, _ := events.New(events.SourceOrders, events.TypeOrderPaid, "o1", events.OrderPaid{OrderID: "o1"})
	b, _ := env.Marshal()
	if err := h.Handle(context.Background(), b); !errors.Is(err, transient) || errors.Is(err, errPermanent) {
		t.Fatalf("err = %v, want the handler's transient error", err)
	}
}
