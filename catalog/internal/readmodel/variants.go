package readmodel

import (
	"slices"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
)

// Products with variants: the parent and each variant are items of their
// own, by id. A variant is shown with its parent's details and is never
// listed (browse, search, categories and the merchant's list show the
// parent); a parent is shown with its variants, so a change of a variant
// re-renders its parent, and a change of a parent re-renders its variants.
// A variant whose parent the model does not have, or does not list it
// (left by a write that crashed before listing it), is invisible.

// isFamily reports whether p is a parent or a variant.
func isFamily(p domain.Product) bool { return p.IsVariant() || p.HasVariants() }

// applyFamilyLocked stores a parent or a variant unless the model has its
// version or a newer one, and re-renders its relatives; the caller holds
// the write lock.
func (m *Model) applyFamilyLocked(p domain.Product) bool {
	if old := m.items[p.ID]; old != nil && old.p.Version >= p.Version {
		return false
	}
	m.replaceLocked(m.familyItem(p))
	if p.IsVariant() {
		if parent := m.items[p.VariantOf]; parent != nil {
			m.replaceLocked(m.familyItem(parent.p))
		}
		return true
	}
	for _, id := range p.VariantIDs {
		if v := m.items[id]; v != nil {
			m.replaceLocked(m.familyItem(v.p))
		}
	}
	return true
}

// familyItem builds the item of a parent or variant from the stored
// products of its family the model has; the caller holds the lock.
func (m *Model) familyItem(p domain.Product) *item {
	if p.IsVariant() {
		parent := m.items[p.VariantOf]
		if parent == nil {
			return m.itemOf(p, p, false, false)
		}
		shown := domain.ShowVariant(p, parent.p)
		listed := slices.Contains(parent.p.VariantIDs, p.ID)
		return m.itemOf(p, shown, false, listed && !shown.Archived && parent.p.VariantOf == "")
	}
	variants := make([]domain.Product, 0, len(p.VariantIDs))
	for _, id := range p.VariantIDs {
		if v := m.items[id]; v != nil && v.p.VariantOf == p.ID {
			variants = append(variants, v.p)
		}
	}
	shown := domain.ShowParent(p, variants)
	return m.itemOf(p, shown, true, shown.Visible())
}

// Shown returns a product as shoppers see it (a parent with its variants,
// a variant with its parent's details), archived or not.
func (m *Model) Shown(id string) (domain.Product, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	it, ok := m.items[id]
	if !ok {
		return domain.Product{}, false
	}
	return it.shown, true
}
