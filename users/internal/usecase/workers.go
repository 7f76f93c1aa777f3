package usecase

import (
	"context"
	"log/slog"
	"time"

	"github.com/mercato-shop/mercato/platform/service"
	"github.com/mercato-shop/mercato/users/internal/security"
)

// Intervals of the background workers.
const (
	sessionSweepInterval = time.Hour
	// expiredSessionGrace keeps an expired session a day, so the reuse of
	// one of its tokens is still told apart from an unknown token.
	expiredSessionGrace = 24 * time.Hour
	keyCheckInterval    = time.Minute
)

// SweepSessions returns a worker that deletes refresh sessions expired for
// over a day, once an hour (FerretDB has no TTL indexes).
func SweepSessions(st SessionStore, logger *slog.Logger) func(ctx context.Context) {
	return func(ctx context.Context) {
		service.Every(ctx, sessionSweepInterval, logger, "sweeping expired refresh sessions", func(ctx context.Context) error {
			n, err := st.DeleteSessionsExpiredBefore(ctx, time.Now().Add(-expiredSessionGrace))
			if err != nil {
				return err
			}
			if n > 0 {
				logger.InfoContext(ctx, "expired refresh sessions removed", "count", n)
			}
			return nil
		})
	}
}

// RotateKeys returns a worker that lets the key ring rotate its signing key
// once the key is older than the ring's RotateAfter, checked every minute.
func RotateKeys(ring *security.KeyRing, logger *slog.Logger) func(ctx context.Context) {
	return func(ctx context.Context) {
		service.Every(ctx, keyCheckInterval, logger, "signing key rotation check", func(ctx context.Context) error {
			before := ring.CurrentKeyID()
			if err := ring.EnsureKey(ctx); err != nil {
				return err
			}
			if after := ring.CurrentKeyID(); after != before {
				logger.InfoContext(ctx, "signing key rotated", "kid", after)
			}
			return nil
		})
	}
}
