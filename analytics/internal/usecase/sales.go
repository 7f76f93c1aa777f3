package usecase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/analytics/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// Service is the analytics use cases over one store.
type Service struct {
	store *store.Store
	hub   *Hub
	now   func() time.Time
	log   *slog.Logger
}

// New returns a Service; now defaults to time.Now and log to slog.Default().
func New(st *store.Store, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: st, hub: NewHub(), now: now, log: log}
}

// Hub is the service's wake-up hub for open streams.
func (s *Service) Hub() *Hub { return s.hub }

// PaidOrder is an order.paid event as analytics needs it.
type PaidOrder struct {
	OrderID string
	PaidAt  time.Time
	Lines   []domain.Line
	// Merchants are the lines' merchants, in order.
	Merchants []string
}

// RecordSale counts a paid order once for each merchant of its lines and
// for the platform: one guarded write per document, the guard being the
// sale itself in the document (a redelivered or duplicated order.paid
// finds it there and changes nothing).
func (s *Service) RecordSale(ctx context.Context, o PaidOrder, merchantOf func(domain.Line) string) error {
	byMerchant := map[string][]domain.Line{}
	shares := map[string]int64{}
	var total int64
	currency := ""
	for _, l := range o.Lines {
		m := merchantOf(l)
		if m == "" {
			continue
		}
		byMerchant[m] = append(byMerchant[m], l)
		shares[m] += l.Net()
		total += l.Net()
		currency = l.Currency
	}
	if len(byMerchant) == 0 {
		return nil
	}
	if err := s.store.PutOrder(ctx, store.Order{ID: o.OrderID, PaidAt: o.PaidAt.UTC(), Shares: shares, Total: total, Currency: currency}); err != nil {
		return err
	}
	day := domain.DayOf(o.PaidAt)
	owners := sortedKeys(byMerchant)
	byMerchant[domain.Platform] = o.Lines
	owners = append(owners, domain.Platform)
	for _, owner := range owners {
		k := domain.Key{Owner: owner, Day: day}
		g, err := s.store.Guards(ctx, k)
		if err != nil {
			return err
		}
		if g.Sales[store.SaleKey(o.OrderID)] {
			continue
		}
		delta := domain.NewFigures(k)
		delta.AddSale(domain.Sale{OrderID: o.OrderID, PaidAt: o.PaidAt.UTC(), Status: domain.StatusPaid, Lines: byMerchant[owner]})
		if owner == domain.Platform {
			// The platform's document records every order of the day: keep
			// its guard small (no lines), so it does not grow with them.
			delta.Sales[o.OrderID] = domain.Sale{OrderID: o.OrderID, PaidAt: o.PaidAt.UTC(), Status: domain.StatusPaid}
		}
		if err := s.store.Apply(ctx, []store.Write{{Delta: delta}}); err != nil {
			return err
		}
		s.hub.Notify(owner)
	}
	return nil
}

// SetStatus marks a recorded sale shipped or cancelled on the dashboard of
// merchants (all of the order's when merchants is empty) and the
// platform. An order analytics never saw paid is left alone.
func (s *Service) SetStatus(ctx context.Context, orderID, status string, merchants ...string) error {
	o, err := s.store.GetOrder(ctx, orderID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(merchants) == 0 {
		merchants = sortedKeys(o.Shares)
	}
	day := domain.DayOf(o.PaidAt)
	for _, owner := range append(merchants, domain.Platform) {
		if err := s.store.SetSaleStatus(ctx, domain.Key{Owner: owner, Day: day}, orderID, status); err != nil {
			return err
		}
		s.hub.Notify(owner)
	}
	return nil
}

// ErrOrderUnknown is returned for a refund of an order analytics has not
// seen paid yet (the payments topic ran ahead of the orders topic): the
// consumer retries it.
var ErrOrderUnknown = errors.New("refund of an order not seen paid yet")

// RecordRefund counts one refund once, in the day it happened, for each
// merchant of the order by its share of the total, and for the platform.
// The guard is the refund id in each document.
func (s *Service) RecordRefund(ctx context.Context, orderID, refundID string, amount int64, currency string, at time.Time) error {
	o, err := s.store.GetOrder(ctx, orderID)
	if errors.Is(err, apperr.ErrNotFound) {
		return fmt.Errorf("%w: order %s", ErrOrderUnknown, orderID)
	}
	if err != nil {
		return err
	}
	if refundID == "" {
		refundID = orderID
	}
	day := domain.DayOf(at)
	// The merchants share what the order earned them; the rest of a
	// refund (its shipping) is the platform's figure alone.
	parts := split(min(amount, o.Total), o.Shares, o.Total)
	parts[domain.Platform] = amount
	for _, owner := range append(sortedKeys(o.Shares), domain.Platform) {
		k := domain.Key{Owner: owner, Day: day}
		g, err := s.store.Guards(ctx, k)
		if err != nil {
			return err
		}
		if g.Refunds[store.RefundKey(refundID)] {
			continue
		}
		delta := domain.NewFigures(k)
		delta.AddRefund(parts[owner], currency)
		if err := s.store.Apply(ctx, []store.Write{{Delta: delta, RefundID: refundID}}); err != nil {
			return err
		}
		s.hub.Notify(owner)
	}
	return nil
}

// split divides amount among shares in proportion (integer minor units;
// the remainder goes to the largest share, so the parts add up).
func split(amount int64, shares map[string]int64, total int64) map[string]int64 {
	out := map[string]int64{}
	if total <= 0 {
		return out
	}
	var given int64
	largest := ""
	for _, m := range sortedKeys(shares) {
		out[m] = amount * shares[m] / total
		given += out[m]
		if largest == "" || shares[m] > shares[largest] {
			largest = m
		}
	}
	out[largest] += amount - given
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
