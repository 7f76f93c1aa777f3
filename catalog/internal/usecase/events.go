package usecase

import (
	"context"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// ReplicaHeader is the Kafka header naming the catalog replica (process)
// that wrote an event: a replica following catalog.events skips its own
// events, whose effect it applied to its read model when it wrote them.
const ReplicaHeader = "mercato-catalog-replica"

// productEvent is the outbox entry of a product event carrying p's
// snapshot, written under ctx (its trace travels with the event).
func (s *Service) productEvent(ctx context.Context, eventType string, p domain.Product) (outbox.Entry, error) {
	return s.signed(outbox.NewEvent(ctx, events.TopicCatalog, events.SourceCatalog, eventType, p.ID, ProductEvent(p)))
}

// signed adds this replica's ReplicaHeader to an entry.
func (s *Service) signed(entry outbox.Entry, err error) (outbox.Entry, error) {
	if err != nil {
		return entry, err
	}
	if entry.Headers == nil {
		entry.Headers = map[string]string{}
	}
	entry.Headers[ReplicaHeader] = s.replica
	return entry, nil
}

// ProductEvent is the event snapshot of p.
func ProductEvent(p domain.Product) events.Product {
	e := events.Product{
		ID: p.ID, MerchantID: p.MerchantID, SKU: p.SKU, Name: p.Name, Description: p.Description,
		Category: p.Category, Price: events.Money{Amount: p.Price.Amount, Currency: p.Price.Currency},
		Available: p.Stock.Available, Images: p.Images, WeightGrams: p.WeightGrams, Archived: p.Archived, Version: p.Version,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		VariantOf: p.VariantOf, VariantOptions: p.VariantOptions, VariantIDs: p.VariantIDs,
	}
	for _, o := range p.Options {
		e.Options = append(e.Options, events.ProductOption{Name: o.Name, Values: o.Values})
	}
	return e
}

// stockEvent is the outbox entry of a stock event of orderID, written under
// ctx (its trace travels with the event).
func (s *Service) stockEvent(ctx context.Context, eventType, orderID string, data any) (outbox.Entry, error) {
	return s.signed(outbox.NewEvent(ctx, events.TopicCatalog, events.SourceCatalog, eventType, orderID, data))
}

func stockLines(lines []domain.Line) []events.StockLine {
	out := make([]events.StockLine, len(lines))
	for i, l := range lines {
		out[i] = events.StockLine{ProductID: l.ProductID, Quantity: l.Quantity}
	}
	return out
}

func rejectedLines(lines []domain.RejectedLine) []events.RejectedLine {
	out := make([]events.RejectedLine, len(lines))
	for i, l := range lines {
		out[i] = events.RejectedLine{ProductID: l.ProductID, Requested: l.Requested, Available: l.Available}
	}
	return out
}
