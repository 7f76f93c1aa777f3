package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/service"
)

// LoadReadModel fills the read model from every product in the store and
// returns how many it read: the start-up path without a usable snapshot,
// about 0.5 ms per product on the embedded store. Newer versions already
// in the model are kept.
func (s *Service) LoadReadModel(ctx context.Context) (int, error) {
	products, err := s.store.AllProducts(ctx)
	if err != nil {
		return 0, err
	}
	s.model.Load(products)
	observeLoad(len(products))
	return len(products), nil
}

// LoadSnapshot fills the read model from the latest snapshot and returns
// the catalog.events offsets (per partition) to replay from: every event
// before them is in the snapshot. store.ErrNoSnapshot when there is none.
func (s *Service) LoadSnapshot(ctx context.Context) (map[int]int64, int, error) {
	snap, err := s.store.LoadSnapshot(ctx)
	if err != nil {
		return nil, 0, err
	}
	products, err := readmodel.DecodeChunks(snap.Chunks)
	if err != nil {
		return nil, 0, fmt.Errorf("snapshot %s: %w", snap.Generation, err)
	}
	s.model.Load(products)
	observeLoad(len(products))
	return snap.Offsets, len(products), nil
}

// SaveSnapshot stores a snapshot of the read model with offsets, the
// catalog.events position up to which every event has been applied to the
// model. The caller reads offsets before calling: whatever the model holds
// by now is at least that new, and replaying from offsets is idempotent.
func (s *Service) SaveSnapshot(ctx context.Context, offsets map[int]int64) (int, error) {
	products := s.model.Products()
	chunks, err := readmodel.EncodeChunks(products)
	if err != nil {
		return 0, err
	}
	err = s.store.SaveSnapshot(ctx, store.Snapshot{
		Generation: uuid.NewString(), Offsets: offsets, Products: len(products), TakenAt: s.now(), Chunks: chunks,
	})
	return len(products), err
}

// RefreshProducts reads products by id and applies them to the read model
// (a newer version in the model is kept), for an event another replica
// wrote. A product that does not exist is skipped.
func (s *Service) RefreshProducts(ctx context.Context, ids ...string) error {
	for _, id := range ids {
		p, _, err := s.store.Product(ctx, id, "")
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		s.model.Apply(p)
	}
	return nil
}

// ModelVersion is the version of product id in the read model, 0 when
// the model does not have it.
func (s *Service) ModelVersion(id string) int64 {
	p, ok := s.model.Get(id)
	if !ok {
		return 0
	}
	return p.Version
}

// ModelSize is the number of products in the read model.
func (s *Service) ModelSize() int { return s.model.Len() }

// OrderProducts returns the ids of the products of orderID's recorded
// reservation (none when it has none): the products a stock.rejected
// event may have changed (its rolled-back holds).
func (s *Service) OrderProducts(ctx context.Context, orderID string) ([]string, error) {
	r, err := s.store.Reservation(ctx, orderID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(r.Lines))
	for i, l := range r.Lines {
		ids[i] = l.ProductID
	}
	return ids, nil
}

// RunReadModelRefresh reloads the read model from the store every interval
// until ctx ends: a safety net only, since replicas follow catalog.events
// (consumer.Follower); a reload reads every product (about 5 s at 10,000
// on the embedded store).
func (s *Service) RunReadModelRefresh(ctx context.Context, interval time.Duration) {
	service.Every(ctx, interval, s.log, "read model refresh", func(ctx context.Context) error {
		_, err := s.LoadReadModel(ctx)
		return err
	})
}
