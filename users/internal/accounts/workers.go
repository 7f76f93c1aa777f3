package accounts

import (
	"context"
	"log/slog"
	"time"

	"github.com/mercato-shop/mercato/users/internal/security"
	"github.com/mercato-shop/mercato/users/internal/store"
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
func SweepSessions(st *store.Store, logger *slog.Logger) func(ctx context.Context) {
	return func(ctx context.Context) {
		every(ctx, sessionSweepInterval, func() {
			n, err := st.DeleteSessionsExpiredBefore(ctx, time.Now().Add(-expiredSessionGrace))
			if err != nil {
				logger.WarnContext(ctx, "sweeping expired refresh sessions", "error", err.Error())
			} else if n > 0 {
				logger.InfoContext(ctx, "expired refresh sessions removed", "count", n)
			}
		})
	}
}

// RotateKeys returns a worker that lets the key ring rotate its signing key
// once the key is older than the ring's RotateAfter, checked every minute.
func RotateKeys(ring *security.KeyRing, logger *slog.Logger) func(ctx context.Context) {
	return func(ctx context.Context) {
		every(ctx, keyCheckInterval, func() {
			before := ring.CurrentKeyID()
			if err := ring.EnsureKey(ctx); err != nil {
				logger.WarnContext(ctx, "signing key rotation check", "error", err.Error())
			} else if after := ring.CurrentKeyID(); after != before {
				logger.InfoContext(ctx, "signing key rotated", "kid", after)
			}
		})
	}
}

// every runs fn at each interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			fn()
		}
	}
}
