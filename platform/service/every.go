package service

import (
	"context"
	"log/slog"
	"time"
)

// Every runs fn every interval until ctx ends: the body of a periodic
// background worker (a sweeper, a refresh), registered with App.Go as
//
//	app.Go(func(ctx context.Context) { service.Every(ctx, time.Minute, app.Logger, "expiry sweep", sweep) })
//
// The first run is one interval after the call, not at once. Runs never
// overlap: a run longer than interval delays the next one. A run that
// returns an error is logged as a warning "<name> failed" with the error,
// unless ctx has ended (a run cut short by shutdown is expected), and the
// next run comes at the next tick. Every returns when ctx ends.
func Every(ctx context.Context, interval time.Duration, logger *slog.Logger, name string, fn func(context.Context) error) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			logger.WarnContext(ctx, name+" failed", "error", err.Error())
		}
	}
}
