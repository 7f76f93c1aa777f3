package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// Variants are documents of their own (docs/api.md "Variants"). The store
// has no transactions, so a product with variants is several writes:
// the variants first, then the parent, which lists them and carries every
// product.created event in its outbox. Until the parent is written a
// variant is invisible (the read model shows no variant without its
// parent), so orders cannot price or cart it, a reservation of it is
// rejected (keepVariantHold), and no event announces it. A parent write
// that fails is read back (parentLists): applied, it stands; not applied,
// the variants written before it are deleted; unknown, they are kept. A
// crash in between leaves them behind, invisible and unsellable, with
// their SKUs taken (docs/api.md says how to find them).

// createWithVariants stores a new parent and its variants.
func (s *Service) createWithVariants(ctx context.Context, p domain.Product, variants []domain.Product) (domain.Product, error) {
	entries := make([]outbox.Entry, 0, len(variants)+1)
	for _, v := range append(slices.Clone(variants), p) {
		entry, err := s.productEvent(ctx, events.TypeProductCreated, v)
		if err != nil {
			return domain.Product{}, err
		}
		entries = append(entries, entry)
	}
	for i, v := range variants {
		if err := s.store.InsertProduct(ctx, v); err != nil {
			s.undoVariants(ctx, p.ID, variants[:i])
			return domain.Product{}, fmt.Errorf("variant %d (sku %s): %w", i, v.SKU, err)
		}
	}
	if err := s.store.InsertProduct(ctx, p, entries...); err != nil {
		switch written, known := s.parentLists(ctx, p.ID, variants[0].ID); {
		case !known:
			return domain.Product{}, err // variants kept: the parent may exist
		case !written:
			s.undoVariants(ctx, p.ID, variants)
			return domain.Product{}, err
		}
		// The write was applied and its answer lost: the product exists.
	}
	for _, v := range variants {
		s.model.Apply(v)
	}
	s.model.Apply(p)
	return p, nil
}

// parentLists reads parent parentID back after a write of it failed, to
// tell whether the write was applied all the same (its answer lost when
// the connection was cut) and the parent lists variantID. known is false
// when the read fails too: then nobody can tell, and the caller keeps its
// variants, since deleting one its parent lists would lose it and its
// stock, while one no parent lists is only invisible (docs/api.md).
func (s *Service) parentLists(ctx context.Context, parentID, variantID string) (written, known bool) {
	parent, _, err := s.store.Product(context.WithoutCancel(ctx), parentID, "")
	if errors.Is(err, apperr.ErrNotFound) {
		return false, true
	}
	if err != nil {
		s.log.WarnContext(ctx, "variants kept: their product's write failed and cannot be read back", "product_id", parentID, "error", err.Error())
		return false, false
	}
	return slices.Contains(parent.VariantIDs, variantID), true
}

// undoVariants deletes variants written for a parent whose write failed.
// What it cannot delete stays behind, invisible; it is logged.
func (s *Service) undoVariants(ctx context.Context, parentID string, variants []domain.Product) {
	for _, v := range variants {
		if err := s.store.DeleteVariant(context.WithoutCancel(ctx), v.ID, parentID); err != nil {
			s.log.WarnContext(ctx, "variant left behind by a failed write", "product_id", parentID, "variant_id", v.ID, "error", err.Error())
		}
	}
}

// AddVariant adds a variant to merchantID's product productID, which must
// have options (product.created of the variant, product.updated of the
// parent). The variant is written first, then the parent lists it; when the
// parent changed in between the variant is deleted and it starts over.
func (s *Service) AddVariant(ctx context.Context, merchantID, productID string, d domain.VariantDraft) (domain.Product, error) {
	for range saveAttempts {
		parent, err := s.store.OwnedProduct(ctx, merchantID, productID)
		if err != nil {
			return domain.Product{}, err
		}
		if parent.IsVariant() {
			return domain.Product{}, fmt.Errorf("product %s: %w", productID, apperr.ErrNotFound)
		}
		if parent.Archived {
			return domain.Product{}, fmt.Errorf("%w: product %s is archived", apperr.ErrConflict, productID)
		}
		siblings, err := s.variantsOf(ctx, parent)
		if err != nil {
			return domain.Product{}, err
		}
		if err := domain.ValidateVariant(parent, siblings, d, s.currency); err != nil {
			return domain.Product{}, err
		}
		now := s.now()
		v := domain.NewVariant(parent, domain.NextVariantNumber(parent), d, now)
		if err := s.insertVariant(ctx, parent, v); errors.Is(err, errVariantInFlight) {
			continue // another add holds this id; it lists it or undoes it
		} else if err != nil {
			return domain.Product{}, err
		}
		next := parent
		next.VariantIDs = append(slices.Clone(parent.VariantIDs), v.ID)
		next.Version, next.UpdatedAt = parent.Version+1, now
		created, err := s.productEvent(ctx, events.TypeProductCreated, v)
		if err != nil {
			return domain.Product{}, err
		}
		updated, err := s.productEvent(ctx, events.TypeProductUpdated, next)
		if err != nil {
			return domain.Product{}, err
		}
		if err := s.store.SaveProduct(ctx, parent.Version, next, created, updated); err != nil {
			written, known := s.parentLists(ctx, parent.ID, v.ID)
			switch {
			case !known:
				return domain.Product{}, err
			case !written:
				s.undoVariants(ctx, parent.ID, []domain.Product{v})
				if errors.Is(err, store.ErrStale) {
					continue
				}
				return domain.Product{}, err
			}
			// Applied, its answer lost: the product lists the variant.
		}
		s.model.Apply(v)
		s.model.Apply(next)
		return v, nil
	}
	return domain.Product{}, fmt.Errorf("%w: product %s is busy, try again", apperr.ErrConflict, productID)
}

// leftoverAge is how old a variant that its product does not list must be
// before an add may take its id: an add in flight writes its variant and
// lists it within one request, so one older than this is the leftover of
// an add that crashed in between.
const leftoverAge = time.Minute

// errVariantInFlight is an id taken by a variant its product does not list
// yet: another add's, which will list it or delete it.
var errVariantInFlight = errors.New("variant id held by an add in flight")

// insertVariant writes new variant v of parent (as read before). A
// variant with its id that parent does not list is the leftover of an
// add that crashed before listing it, deleted and replaced once it is
// older than leftoverAge; a younger one is an add in flight
// (errVariantInFlight), never replaced, since that add would then list
// this variant as its own and its undo would delete it.
func (s *Service) insertVariant(ctx context.Context, parent, v domain.Product) error {
	err := s.store.InsertProduct(ctx, v)
	if !errors.Is(err, apperr.ErrConflict) {
		return err
	}
	left, _, readErr := s.store.Product(ctx, v.ID, "")
	switch {
	case readErr != nil || left.VariantOf != v.VariantOf || slices.Contains(parent.VariantIDs, v.ID):
		return err // the SKU is taken (or the id listed since parent was read)
	case s.now().Sub(left.CreatedAt) < leftoverAge:
		return errVariantInFlight
	}
	if err := s.store.DeleteVariant(ctx, v.ID, v.VariantOf); err != nil {
		return err
	}
	return s.store.InsertProduct(ctx, v)
}

// variantsOf reads the variants parent lists, by id.
func (s *Service) variantsOf(ctx context.Context, parent domain.Product) ([]domain.Product, error) {
	out := make([]domain.Product, 0, len(parent.VariantIDs))
	for _, id := range parent.VariantIDs {
		v, _, err := s.store.Product(ctx, id, "")
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// UpdateVariant changes the SKU, price or weight of variant variantID of
// merchantID's product productID (product.updated of the variant). A
// variant of another product, or of another merchant, is not found.
func (s *Service) UpdateVariant(ctx context.Context, merchantID, productID, variantID string, patch domain.VariantPatch) (domain.Product, error) {
	if err := patch.Validate(s.currency); err != nil {
		return domain.Product{}, err
	}
	return s.change(ctx, merchantID, variantID, events.TypeProductUpdated, func(v domain.Product) (domain.Product, error) {
		if v.VariantOf != productID {
			return v, fmt.Errorf("variant %s of product %s: %w", variantID, productID, apperr.ErrNotFound)
		}
		return patch.Apply(v, s.now()), nil
	})
}

// Shown is p as the read model shows it (a parent with its variants), or
// p itself when the model has another version.
func (s *Service) Shown(p domain.Product) domain.Product {
	if shown, ok := s.model.Shown(p.ID); ok && shown.Version == p.Version {
		return shown
	}
	return p
}

// reviewed is the product a review of id is about: the parent of a
// variant, else id itself. The read model answers; a variant it does not
// know yet is looked up in the store.
func (s *Service) reviewed(ctx context.Context, id string) (string, error) {
	if p, ok := s.model.Get(id); ok {
		return parentOr(p), nil
	}
	p, _, err := s.store.Product(ctx, id, "")
	if errors.Is(err, apperr.ErrNotFound) {
		return id, nil
	}
	if err != nil {
		return "", err
	}
	return parentOr(p), nil
}

func parentOr(p domain.Product) string {
	if p.IsVariant() {
		return p.VariantOf
	}
	return p.ID
}
