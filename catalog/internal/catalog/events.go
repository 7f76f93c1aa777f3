package catalog

import (
	"context"

	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
)

// productEvent is the outbox entry of a product event carrying p's
// snapshot, written under ctx (its trace travels with the event).
func productEvent(ctx context.Context, eventType string, p domain.Product) (outbox.Entry, error) {
	return outbox.NewEvent(ctx, events.TopicCatalog, events.SourceCatalog, eventType, p.ID, ProductEvent(p))
}

// ProductEvent is the event snapshot of p.
func ProductEvent(p domain.Product) events.Product {
	return events.Product{
		ID: p.ID, MerchantID: p.MerchantID, SKU: p.SKU, Name: p.Name, Description: p.Description,
		Category: p.Category, Price: events.Money{Amount: p.Price.Amount, Currency: p.Price.Currency},
		Available: p.Stock.Available, Images: p.Images, Archived: p.Archived, Version: p.Version,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

// stockEvent is the outbox entry of a stock event of orderID, written under
// ctx (its trace travels with the event).
func stockEvent(ctx context.Context, eventType, orderID string, data any) (outbox.Entry, error) {
	return outbox.NewEvent(ctx, events.TopicCatalog, events.SourceCatalog, eventType, orderID, data)
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
