package catalog

import (
	"context"
	"time"

	"github.com/mercato-shop/mercato/platform/service"
)

// LoadReadModel fills the read model from the store (at start-up) and
// returns how many products it read. Newer versions already in the model
// are kept.
func (s *Service) LoadReadModel(ctx context.Context) (int, error) {
	products, err := s.store.AllProducts(ctx)
	if err != nil {
		return 0, err
	}
	for _, p := range products {
		s.model.Apply(p)
	}
	return len(products), nil
}

// RunReadModelRefresh reloads the read model from the store every interval
// until ctx ends, so a replica also sees the writes of other replicas
// (its own are applied as they happen). Register it with app.Go when more
// than one replica runs.
func (s *Service) RunReadModelRefresh(ctx context.Context, interval time.Duration) {
	service.Every(ctx, interval, s.log, "read model refresh", func(ctx context.Context) error {
		_, err := s.LoadReadModel(ctx)
		return err
	})
}
