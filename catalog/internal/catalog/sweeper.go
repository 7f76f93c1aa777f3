package catalog

import (
	"context"
	"time"
)

// sweepBatch bounds the reservations one sweep round releases.
const sweepBatch = 100

// RunExpirySweeper releases expired holds every interval until ctx ends
// (FerretDB has no TTL indexes: DESIGN §2). Register it with app.Go.
func (s *Service) RunExpirySweeper(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		for {
			n, err := s.ExpireDue(ctx, sweepBatch)
			if err != nil {
				if ctx.Err() == nil {
					s.log.WarnContext(ctx, "expiry sweep failed", "error", err.Error())
				}
				break
			}
			if n > 0 {
				s.log.InfoContext(ctx, "released expired holds", "reservations", n)
			}
			if n < sweepBatch {
				break
			}
		}
	}
}
