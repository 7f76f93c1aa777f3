// Package usecase holds the catalog's use cases: merchants managing their
// products and stock, and the reservation saga steps (reserve, commit,
// release, return, expire). Each use case writes through the store, puts
// its events in the written document's outbox, and applies the result to
// the read model before returning, so the next request sees it.
package usecase

import (
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
)

// DefaultHoldTTL is how long a reservation holds units before it expires.
const DefaultHoldTTL = 15 * time.Minute

// saveAttempts bounds the retries of a merchant's write that keeps losing
// the race against reservations of the same product.
const saveAttempts = 8

// Options configure New.
type Options struct {
	Store CatalogStore
	Model *readmodel.Model
	// Currency is the store currency every price must be in (default USD).
	Currency string
	// HoldTTL is how long reserved units stay held (default 15 minutes).
	HoldTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Replica names this process in the events it writes (ReplicaHeader);
	// default a fresh random id.
	Replica string
	Logger  *slog.Logger
}

// Service runs the catalog's use cases.
type Service struct {
	store    CatalogStore
	model    *readmodel.Model
	currency string
	holdTTL  time.Duration
	clock    func() time.Time
	replica  string
	log      *slog.Logger
}

// New returns a Service.
func New(opts Options) *Service {
	if opts.Currency == "" {
		opts.Currency = "USD"
	}
	if opts.HoldTTL <= 0 {
		opts.HoldTTL = DefaultHoldTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Replica == "" {
		opts.Replica = uuid.NewString()
	}
	return &Service{store: opts.Store, model: opts.Model, currency: opts.Currency, holdTTL: opts.HoldTTL, clock: opts.Now, replica: opts.Replica, log: opts.Logger}
}

// Replica is the id this process signs its events with (ReplicaHeader).
func (s *Service) Replica() string { return s.replica }

// Currency is the store currency.
func (s *Service) Currency() string { return s.currency }

// now is the current time as the store keeps it: UTC, whole milliseconds.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }
