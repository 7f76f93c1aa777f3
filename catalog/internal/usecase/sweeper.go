package usecase

import (
	"context"
	"time"

	"github.com/mercato-shop/mercato/platform/service"
)

// sweepBatch bounds the reservations one sweep round releases.
const sweepBatch = 100

// RunExpirySweeper releases expired holds every interval until ctx ends
// (FerretDB has no TTL indexes: docs/architecture.md "Storage rules").
// Register it with app.Go.
func (s *Service) RunExpirySweeper(ctx context.Context, interval time.Duration) {
	service.Every(ctx, interval, s.log, "expiry sweep", s.releaseExpired)
}

// releaseExpired releases every due reservation, a batch at a time.
func (s *Service) releaseExpired(ctx context.Context) error {
	for {
		n, err := s.ExpireDue(ctx, sweepBatch)
		if err != nil {
			return err
		}
		holdsExpired.Add(float64(n))
		if n > 0 {
			s.log.InfoContext(ctx, "released expired holds", "reservations", n)
		}
		if n < sweepBatch {
			return nil
		}
	}
}
