// Package usecase runs the payments service's use cases: charge an order,
// refund it, apply Stripe's webhooks, retry what Stripe did not answer, and
// show a payment to its owner. Every change is a guarded single-document
// write of the payment whose events go out through its outbox.
package usecase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/retry"
)

// Gateway is Stripe as the use cases see it (stripeapi.Client). Both calls
// return an outcome when Stripe settled the request, and an error when it
// should be asked again later with the same idempotency key.
type Gateway interface {
	Charge(ctx context.Context, call domain.ChargeCall) (domain.ChargeOutcome, error)
	Refund(ctx context.Context, call domain.RefundCall) (domain.RefundOutcome, error)
}

// Options configure New.
type Options struct {
	// Retry spaces retries while Stripe is unavailable (defaults 1 s, 30 s).
	Retry domain.RetryPolicy
	// Lease is how long after a call starts its payment is resumed by the
	// retry sweeper if the process dies before it saves the answer
	// (default 30 s; it must exceed a call's timeout).
	Lease time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service runs the use cases.
type Service struct {
	store   PaymentStore
	gateway Gateway
	opts    Options
	log     *slog.Logger

	// afterCharge, when set (tests), runs between Stripe's answer and
	// saving it; an error simulates the process dying there.
	afterCharge func(domain.ChargeOutcome) error
}

// New returns the service.
func New(st PaymentStore, gateway Gateway, opts Options) *Service {
	if opts.Retry.Min <= 0 {
		opts.Retry.Min = time.Second
	}
	if opts.Retry.Max < opts.Retry.Min {
		opts.Retry.Max = max(30*time.Second, opts.Retry.Min)
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: st, gateway: gateway, opts: opts, log: opts.Logger}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// maxConflicts bounds the reload-and-retry loop of one change.
const maxConflicts = 8

// change loads the payment, lets fn change it, and writes it back guarded
// by what was loaded; when another writer got there first it reloads and
// asks fn again, so fn sees the latest state (its guards make repeats
// harmless). It returns the payment as it is now.
func (s *Service) change(ctx context.Context, orderID string, fn func(p *domain.Payment) ([]domain.Event, bool)) (*domain.Payment, bool, error) {
	type result struct {
		p       *domain.Payment
		changed bool
	}
	r, err := retry.Conditional(maxConflicts, store.IsConflict, func() (result, error) {
		p, err := s.store.Get(ctx, orderID)
		if err != nil {
			return result{}, err
		}
		guard := store.GuardOf(p)
		evs, changed := fn(p)
		if !changed {
			return result{p, false}, nil
		}
		pending, err := entries(ctx, p, evs)
		if err != nil {
			return result{}, err
		}
		if err := s.store.Update(ctx, p, guard, pending); err != nil {
			return result{}, err
		}
		return result{p, true}, nil
	})
	if errors.Is(err, retry.ErrExhausted) {
		return nil, false, fmt.Errorf("payment %s: %w: kept changing", orderID, apperr.ErrConflict)
	}
	return r.p, r.changed, err
}

// Get returns the payment of an order to its shopper; anyone else gets
// apperr.ErrNotFound, as for an order without a payment.
func (s *Service) Get(ctx context.Context, orderID, callerID string) (*domain.Payment, error) {
	p, err := s.store.Read(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if p.ShopperID != callerID {
		return nil, fmt.Errorf("payment of order %s: %w", orderID, apperr.ErrNotFound)
	}
	return p, nil
}

func isNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }
