package usecase

import (
	"context"
	"sync"
	"time"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
)

// Dashboard computes owner's dashboard now: two reads by _id (today and
// yesterday).
func (s *Service) Dashboard(ctx context.Context, owner string) (domain.Dashboard, error) {
	now := s.now().UTC()
	today, err := s.store.Figures(ctx, domain.Key{Owner: owner, Day: domain.DayOf(now)})
	if err != nil {
		return domain.Dashboard{}, err
	}
	yesterday, err := s.store.Figures(ctx, domain.Key{Owner: owner, Day: domain.DayOf(now.AddDate(0, 0, -1))})
	if err != nil {
		return domain.Dashboard{}, err
	}
	return domain.BuildDashboard(owner, now, today, yesterday), nil
}

// Report validates the range and calls row for every row of owner's sales
// report, day by day (one read by _id per day), so a year streams out
// without being held in memory. An error of row stops the report.
func (s *Service) Report(ctx context.Context, owner, from, to string, row func(domain.ReportRow) error) error {
	days, err := s.ReportDays(from, to)
	if err != nil {
		return err
	}
	return s.ReportOf(ctx, owner, days, row)
}

// ReportDays validates a report's range and returns its days.
func (s *Service) ReportDays(from, to string) ([]string, error) {
	return domain.ReportRange(from, to, s.now())
}

// ReportOf calls row for every row of owner's report over days.
func (s *Service) ReportOf(ctx context.Context, owner string, days []string, row func(domain.ReportRow) error) error {
	for _, day := range days {
		f, err := s.store.Totals(ctx, domain.Key{Owner: owner, Day: day})
		if err != nil {
			return err
		}
		for _, r := range domain.ReportRows(day, f) {
			if err := row(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Hub wakes the open streams of an owner when this instance changed its
// figures; streams also look again periodically for changes made by other
// instances.
type Hub struct {
	mu     sync.Mutex
	subs   map[string]map[chan struct{}]struct{}
	done   chan struct{}
	closed bool
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: map[string]map[chan struct{}]struct{}{}, done: make(chan struct{})}
}

// Subscribe returns a channel with at most one pending wake-up per change
// of owner's figures, and the function that unsubscribes it.
func (h *Hub) Subscribe(owner string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[owner] == nil {
		h.subs[owner] = map[chan struct{}]struct{}{}
	}
	h.subs[owner][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[owner], ch)
		if len(h.subs[owner]) == 0 {
			delete(h.subs, owner)
		}
		h.mu.Unlock()
	}
}

// Notify wakes every stream of owner without blocking.
func (h *Hub) Notify(owner string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[owner] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Done is closed by Close: streams end.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Close ends every stream; safe to call more than once.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}
