package usecase

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
)

// CreateProduct validates d and creates merchantID's product
// (product.created), with its variants when d has options (one
// product.created each, see createWithVariants). A taken SKU is
// apperr.ErrConflict.
func (s *Service) CreateProduct(ctx context.Context, merchantID string, d domain.Draft) (domain.Product, error) {
	if err := d.Validate(s.currency); err != nil {
		return domain.Product{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return domain.Product{}, fmt.Errorf("new product id: %w", err)
	}
	p, variants := domain.NewProductWithVariants(id.String(), merchantID, d, s.now())
	if len(variants) > 0 {
		return s.createWithVariants(ctx, p, variants)
	}
	entry, err := s.productEvent(ctx, events.TypeProductCreated, p)
	if err != nil {
		return domain.Product{}, err
	}
	if err := s.store.InsertProduct(ctx, p, entry); err != nil {
		return domain.Product{}, err
	}
	s.model.Apply(p)
	return p, nil
}

// OwnedProduct reads merchantID's product; anyone else's is
// apperr.ErrNotFound.
func (s *Service) OwnedProduct(ctx context.Context, merchantID, id string) (domain.Product, error) {
	return s.store.OwnedProduct(ctx, merchantID, id)
}

// OwnedProducts lists merchantID's products, archived ones included,
// newest first.
func (s *Service) OwnedProducts(merchantID string, limit int, after *domain.Cursor) ([]domain.Product, *domain.Cursor) {
	return s.model.Merchant(merchantID, limit, after)
}

// UpdateProduct applies a partial update to merchantID's product
// (product.updated).
func (s *Service) UpdateProduct(ctx context.Context, merchantID, id string, patch domain.Patch) (domain.Product, error) {
	if err := patch.Validate(s.currency); err != nil {
		return domain.Product{}, err
	}
	return s.change(ctx, merchantID, id, events.TypeProductUpdated, func(p domain.Product) (domain.Product, error) {
		if p.IsVariant() && (patch.Name != nil || patch.Description != nil || patch.Category != nil || patch.Images != nil) {
			return p, apperr.Validation(apperr.FieldError{Field: "body", Message: "a variant has its product's name, description, category and images: change them on product " + p.VariantOf})
		}
		return patch.Apply(p, s.now()), nil
	})
}

// ArchiveProduct hides merchantID's product from shoppers and stops new
// reservations of it (product.archived). Archiving twice changes nothing.
// A product with variants archives its variants first and itself last, so
// a crash half-way leaves it listed with fewer variants for sale, and
// archiving again finishes.
func (s *Service) ArchiveProduct(ctx context.Context, merchantID, id string) error {
	p, err := s.store.OwnedProduct(ctx, merchantID, id)
	if err != nil {
		return err
	}
	for _, vid := range p.VariantIDs {
		if err := s.archiveOne(ctx, merchantID, vid); err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
	}
	return s.archiveOne(ctx, merchantID, id)
}

func (s *Service) archiveOne(ctx context.Context, merchantID, id string) error {
	_, err := s.change(ctx, merchantID, id, events.TypeProductArchived, func(p domain.Product) (domain.Product, error) {
		if p.Archived {
			return p, errUnchanged
		}
		p.Archived = true
		p.UpdatedAt = s.now()
		return p, nil
	})
	return err
}

// Restock adds delta (which may be negative) to the available units of
// merchantID's product (product.updated). Available never goes below zero
// and held units are never touched: taking more is apperr.ErrConflict.
// A variant is restocked by its id; its parent has no stock of its own
// (domain.ErrHasVariants).
func (s *Service) Restock(ctx context.Context, merchantID, id string, delta int64) (domain.Product, error) {
	if err := domain.ValidateStockDelta(delta); err != nil {
		return domain.Product{}, err
	}
	return s.change(ctx, merchantID, id, events.TypeProductUpdated, func(p domain.Product) (domain.Product, error) {
		if p.HasVariants() {
			return p, domain.ErrHasVariants
		}
		if p.Stock.Available+delta < 0 {
			return p, fmt.Errorf("%w: only %d units are available to remove (%d more are held by orders)", apperr.ErrConflict, p.Stock.Available, p.Stock.Held)
		}
		p.Stock.Available += delta
		p.Restocked += delta
		p.UpdatedAt = s.now()
		return p, nil
	})
}

// errUnchanged tells change that there is nothing to write.
var errUnchanged = errors.New("unchanged")

// change reads merchantID's product, lets edit compute its next state and
// writes it if the product did not change in between, retrying otherwise.
// The event of eventType carries the exact snapshot written.
func (s *Service) change(ctx context.Context, merchantID, id, eventType string, edit func(domain.Product) (domain.Product, error)) (domain.Product, error) {
	for range saveAttempts {
		current, err := s.store.OwnedProduct(ctx, merchantID, id)
		if err != nil {
			return domain.Product{}, err
		}
		s.model.Apply(current)
		next, err := edit(current)
		if errors.Is(err, errUnchanged) {
			return current, nil
		}
		if err != nil {
			return domain.Product{}, err
		}
		next.Version = current.Version + 1
		entry, err := s.productEvent(ctx, eventType, next)
		if err != nil {
			return domain.Product{}, err
		}
		err = s.store.SaveProduct(ctx, current.Version, next, entry)
		if errors.Is(err, store.ErrStale) {
			continue
		}
		if err != nil {
			return domain.Product{}, err
		}
		s.model.Apply(next)
		return next, nil
	}
	return domain.Product{}, fmt.Errorf("%w: product %s is busy, try again", apperr.ErrConflict, id)
}
