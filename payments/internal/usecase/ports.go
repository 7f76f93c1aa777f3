package usecase

import (
	"context"
	"time"

	"github.com/mercato-shop/mercato/payments/internal/domain"
	"github.com/mercato-shop/mercato/payments/internal/store"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// PaymentStore keeps payments, their outbox, pending retries and seen
// webhooks (*store.Store is the real one). Guard and DueRetry are the
// store's plain value types.
type PaymentStore interface {
	// Get reads a payment from the writer; a missing one is apperr.ErrNotFound.
	Get(ctx context.Context, orderID string) (*domain.Payment, error)
	// Read reads a payment for display (read pool).
	Read(ctx context.Context, orderID string) (*domain.Payment, error)
	// FindByPaymentIntent finds the payment of a Stripe PaymentIntent.
	FindByPaymentIntent(ctx context.Context, id string) (*domain.Payment, error)
	// Insert stores a new payment with its events; a duplicate is apperr.ErrConflict.
	Insert(ctx context.Context, p *domain.Payment, entries []outbox.Entry) error
	// Update writes p with its events only while the stored payment still
	// matches guard, else apperr.ErrConflict; p.Version is advanced.
	Update(ctx context.Context, p *domain.Payment, guard store.Guard, entries []outbox.Entry) error
	// ScheduleRetry records that the payment must be resumed at due.
	ScheduleRetry(ctx context.Context, orderID string, due time.Time) (time.Time, error)
	// ClearRetry removes the retry scheduled at due, if still that one.
	ClearRetry(ctx context.Context, orderID string, due time.Time) error
	// DueRetries lists up to limit retries due at now.
	DueRetries(ctx context.Context, now time.Time, limit int) ([]store.DueRetry, error)
	// RecordWebhook records an applied Stripe event, reporting whether it was new.
	RecordWebhook(ctx context.Context, eventID, eventType, orderID, result string) (bool, error)
}

var _ PaymentStore = (*store.Store)(nil)
