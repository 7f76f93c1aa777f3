// Package store keeps the analytics figures in MongoDB: one document per owner
// (merchant or platform) and UTC day, _id "<owner>|<day>", and one small
// document per paid order (what a refund or a shipment needs to find its
// merchants). Every read and write is addressed by a lone _id, the only filter
// the embedded FerretDB does not answer by scanning (docs/performance.md "The
// store"); guards are fields of the same document, checked by the caller that
// owns the document's source (the partition owner, the order's consumer).
package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/platform/mongodb"
)

// Collection names.
const (
	DaysCollection   = "days"
	OrdersCollection = "orders"
)

// Store reads through a read pool and writes through the service's write
// handle (one connection on FerretDB).
type Store struct {
	readDays, writeDays     *mongo.Collection
	readOrders, writeOrders *mongo.Collection
}

// New returns a Store on the service's database handles. No index is
// needed: every query is by _id.
func New(read, write *mongo.Database) *Store {
	return &Store{
		readDays: read.Collection(DaysCollection), writeDays: write.Collection(DaysCollection),
		readOrders: read.Collection(OrdersCollection), writeOrders: write.Collection(OrdersCollection),
	}
}

// Figures returns the figures of k (empty when nothing was recorded).
func (s *Store) Figures(ctx context.Context, k domain.Key) (*domain.Figures, error) {
	return s.load(ctx, k, nil)
}

// Totals returns the figures of k without the per-minute, product, query
// and sale details: what a report row needs, read cheaply.
func (s *Store) Totals(ctx context.Context, k domain.Key) (*domain.Figures, error) {
	return s.load(ctx, k, bson.D{{Key: "owner", Value: 1}, {Key: "day", Value: 1}, {Key: "t", Value: 1}, {Key: "c", Value: 1}})
}

func (s *Store) load(ctx context.Context, k domain.Key, projection bson.D) (*domain.Figures, error) {
	opts := options.FindOne()
	if projection != nil {
		opts.SetProjection(projection)
	}
	var d dayDoc
	err := s.readDays.FindOne(ctx, bson.D{{Key: "_id", Value: k.ID()}}, opts).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.NewFigures(k), nil
	}
	if err != nil {
		return nil, mongodb.Translate(err, "load figures "+k.ID())
	}
	return d.figures(k), nil
}

// Guards are the guard fields of one document: the applied offset per
// source partition, the sales and the refunds it counts.
type Guards struct {
	Offsets map[string]int64
	Sales   map[string]bool
	Refunds map[string]bool
}

// Guards reads the guards of k's document (read through the write handle,
// so it sees every write this process made).
func (s *Store) Guards(ctx context.Context, k domain.Key) (Guards, error) {
	var d struct {
		W       map[string]int64    `bson:"w"`
		Sales   map[string]bson.Raw `bson:"sales"`
		Refunds map[string]bool     `bson:"refunds"`
	}
	err := s.writeDays.FindOne(ctx, bson.D{{Key: "_id", Value: k.ID()}},
		options.FindOne().SetProjection(bson.D{{Key: "w", Value: 1}, {Key: "sales", Value: 1}, {Key: "refunds", Value: 1}})).Decode(&d)
	g := Guards{Offsets: map[string]int64{}, Sales: map[string]bool{}, Refunds: map[string]bool{}}
	if errors.Is(err, mongo.ErrNoDocuments) {
		return g, nil
	}
	if err != nil {
		return g, mongodb.Translate(err, "load guards "+k.ID())
	}
	for k, v := range d.W {
		g.Offsets[k] = v
	}
	for k := range d.Sales {
		g.Sales[k] = true
	}
	for k := range d.Refunds {
		g.Refunds[k] = true
	}
	return g, nil
}

// SaleKey is the guard key of a sale in Guards.Sales; RefundKey of a
// refund in Guards.Refunds.
func SaleKey(orderID string) string { return fieldKey(orderID) }

// SourceKey is the guard key of a source partition in Guards.Offsets.
func SourceKey(source string) string { return fieldKey(source) }

// RefundKey is the guard key of a refund id.
func RefundKey(refundID string) string { return fieldKey(refundID) }

// Write is one document's increments with its guard.
type Write struct {
	Delta *domain.Figures
	// Source and Offset, when Source is set, record the last applied
	// behaviour message of a partition.
	Source string
	Offset int64
	// RefundID, when set, records a counted refund.
	RefundID string
}

// Apply writes every Write as one upsert by _id, all in one unordered bulk
// write: one round trip for a whole fetched batch.
func (s *Store) Apply(ctx context.Context, writes []Write) error {
	models := make([]mongo.WriteModel, 0, len(writes))
	for _, w := range writes {
		var extra bson.D
		if w.Source != "" {
			extra = append(extra, bson.E{Key: "w." + fieldKey(w.Source), Value: w.Offset})
		}
		if w.RefundID != "" {
			extra = append(extra, bson.E{Key: "refunds." + RefundKey(w.RefundID), Value: true})
		}
		models = append(models, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: w.Delta.Key.ID()}}).
			SetUpdate(update(w.Delta, extra)).
			SetUpsert(true))
	}
	if len(models) == 0 {
		return nil
	}
	_, err := s.writeDays.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	if mongodb.IsDuplicateKey(err) {
		// Two upserts raced to create a document: apply again, it exists now.
		_, err = s.writeDays.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	}
	return mongodb.Translate(err, "apply figures")
}

// SetSaleStatus sets the status of a recorded sale in k's document.
func (s *Store) SetSaleStatus(ctx context.Context, k domain.Key, orderID, status string) error {
	_, err := s.writeDays.UpdateOne(ctx, bson.D{{Key: "_id", Value: k.ID()}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "sales." + fieldKey(orderID) + ".status", Value: status}}}})
	return mongodb.Translate(err, "set sale status")
}

// Order is what analytics remembers of a paid order: its day and each
// merchant's share of the total, for refunds and shipments.
type Order struct {
	ID     string           `bson:"_id"`
	PaidAt time.Time        `bson:"paid_at"`
	Shares map[string]int64 `bson:"shares"` // merchant id -> amount
	Total  int64            `bson:"total"`
	// Currency of the shares and total.
	Currency string `bson:"currency"`
}

// PutOrder records o once; a second put of the same order changes nothing.
func (s *Store) PutOrder(ctx context.Context, o Order) error {
	_, err := s.writeOrders.InsertOne(ctx, o)
	if mongodb.IsDuplicateKey(err) {
		return nil
	}
	return mongodb.Translate(err, "put order "+o.ID)
}

// GetOrder returns the recorded order; apperr.ErrNotFound when unknown.
func (s *Store) GetOrder(ctx context.Context, id string) (Order, error) {
	var o Order
	err := s.readOrders.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&o)
	return o, mongodb.Translate(err, "get order "+id)
}
