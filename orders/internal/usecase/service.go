// Package usecase holds the orders service's use cases: the cart, the
// idempotent checkout, the checkout saga's steps, the order lifecycle and
// the deadline sweep. Each state change is one conditional write of the
// order together with the events it produces (the outbox).
package usecase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/mercato-shop/mercato/orders/internal/catalogclient"
	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/retry"
)

// DefaultStepTimeout is how long an order waits for one saga step.
const DefaultStepTimeout = 10 * time.Minute

// maxApplyAttempts bounds the read-decide-write loop of one change when
// concurrent changes keep winning.
const maxApplyAttempts = 10

// Catalog reads products; *catalogclient.Client is the real one.
type Catalog interface {
	Product(ctx context.Context, id string) (catalogclient.Product, error)
	Products(ctx context.Context, ids []string) (map[string]catalogclient.Product, error)
}

// Options configure New. Zero values take the defaults.
type Options struct {
	// StepTimeout is the deadline of every waiting state (default 10 min).
	StepTimeout time.Duration
	// Topic receives the order events (default events.TopicOrders).
	Topic string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Codes keeps the discount codes; without it no code exists.
	Codes CodeStore
	// Rates keeps the shipping rates; without it every merchant ships for
	// free.
	Rates RateStore
	// Users reads shoppers' default addresses for checkouts sent without
	// one; without it such a checkout is refused as before (400).
	Users Users
}

// Service runs the use cases.
type Service struct {
	orders  OrderStore
	carts   CartStore
	catalog Catalog
	codes   CodeStore
	rates   RateStore
	users   Users
	opts    Options
	log     *slog.Logger
}

// New returns the service over its stores and the catalog.
func New(orders OrderStore, carts CartStore, cat Catalog, opts Options) *Service {
	if opts.StepTimeout <= 0 {
		opts.StepTimeout = DefaultStepTimeout
	}
	if opts.Topic == "" {
		opts.Topic = events.TopicOrders
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Codes == nil {
		opts.Codes = noCodes{}
	}
	if opts.Rates == nil {
		opts.Rates = noRates{}
	}
	return &Service{orders: orders, carts: carts, catalog: cat, codes: opts.Codes, rates: opts.Rates, users: opts.Users, opts: opts, log: opts.Logger}
}

// now is the current time as stored (BSON dates hold milliseconds).
func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// apply reads order id, lets decide compute the change, and writes it
// conditionally on the version read; a concurrent change makes it read
// and decide again, so decide always sees the latest order. A no-op
// writes nothing. It returns the order as it now stands.
func (s *Service) apply(ctx context.Context, id string, decide func(domain.Order) (domain.Outcome, error)) (domain.Order, error) {
	o, err := retry.Conditional(maxApplyAttempts, IsStale, func() (domain.Order, error) {
		return s.applyOnce(ctx, id, decide)
	})
	if errors.Is(err, retry.ErrExhausted) {
		return domain.Order{}, fmt.Errorf("%w: order %s keeps changing; try again", apperr.ErrConflict, id)
	}
	return o, err
}

// applyOnce is one read-decide-write attempt of apply; a lost race is
// ErrStale.
func (s *Service) applyOnce(ctx context.Context, id string, decide func(domain.Order) (domain.Outcome, error)) (domain.Order, error) {
	current, err := s.orders.Get(ctx, id)
	if err != nil {
		return domain.Order{}, err
	}
	out, err := decide(current)
	if err != nil {
		return domain.Order{}, err
	}
	if !out.Changed {
		return current, nil
	}
	entries, err := s.entries(ctx, out)
	if err != nil {
		return domain.Order{}, err
	}
	if err := s.orders.Update(ctx, current, out.Order, entries); err != nil {
		return domain.Order{}, err
	}
	if slices.ContainsFunc(out.Events, func(e domain.Event) bool { return e.Kind == domain.EventCancelled }) {
		s.releaseCodes(ctx, out.Order)
	}
	out.Order.Version = current.Version + 1
	observeChange(current, out.Order, s.now())
	for _, e := range out.Events {
		s.log.InfoContext(ctx, "order event", "order_id", id, "event", e.Kind, "status", out.Order.Status)
	}
	return out.Order, nil
}

// isNotFound reports a missing order.
func isNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }
