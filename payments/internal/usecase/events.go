package usecase

import (
	"context"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// entries are the outbox entries of a payment's events: each domain event
// as its platform/events contract on the payments topic, keyed by the
// order (so one order's events keep their order).
func entries(ctx context.Context, p *domain.Payment, evs []domain.Event) ([]outbox.Entry, error) {
	out := make([]outbox.Entry, 0, len(evs))
	for _, ev := range evs {
		typ, data := contract(p, ev)
		e, err := outbox.NewEvent(ctx, events.TopicPayments, events.SourcePayments, typ, p.OrderID, data)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// contract is the event type and data of ev, a transition of p.
func contract(p *domain.Payment, ev domain.Event) (string, any) {
	money := func(amount int64) events.Money { return events.Money{Amount: amount, Currency: p.Currency} }
	switch ev.Kind {
	case domain.EventSucceeded:
		return events.TypePaymentSucceeded, events.PaymentSucceeded{OrderID: p.OrderID, PaymentIntentID: ev.PaymentIntentID,
			Amount: money(p.Amount), Attempt: p.Attempt}
	case domain.EventFailed:
		return events.TypePaymentFailed, events.PaymentFailed{OrderID: p.OrderID, PaymentIntentID: ev.PaymentIntentID,
			DeclineCode: ev.DeclineCode, Code: ev.Code, Message: ev.Message, Amount: money(p.Amount), Attempt: p.Attempt}
	case domain.EventRequiresAction:
		return events.TypePaymentRequiresAction, events.PaymentRequiresAction{OrderID: p.OrderID,
			PaymentIntentID: ev.PaymentIntentID, NextAction: ev.NextAction, ClientSecret: ev.ClientSecret, Attempt: p.Attempt}
	default: // domain.EventRefunded
		return events.TypePaymentRefunded, events.PaymentRefunded{OrderID: p.OrderID, RefundID: ev.RefundID,
			Amount: money(ev.Amount), Full: ev.Full}
	}
}
