package analytics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/platform/mongodb"
)

// Sale statuses.
const (
	statusPaid      = "paid"
	statusShipped   = "shipped"
	statusCancelled = "cancelled"
)

// dayDoc is one merchant's sales of one UTC day.
type dayDoc struct {
	ID         string          `bson:"_id"`
	MerchantID string          `bson:"merchant_id"`
	Day        string          `bson:"day"`
	Sales      map[string]sale `bson:"sales"` // by fieldKey(order id)
}

// sale is one paid order as far as one merchant is concerned: only that
// merchant's lines.
type sale struct {
	OrderID string    `bson:"order_id"`
	PaidAt  time.Time `bson:"paid_at"`
	Status  string    `bson:"status"`
	Lines   []line    `bson:"lines"`
}

// line is an order line in minor units.
type line struct {
	ProductID string `bson:"product_id"`
	Name      string `bson:"name"`
	UnitPrice int64  `bson:"unit_price"`
	Currency  string `bson:"currency"`
	Quantity  int64  `bson:"quantity"`
}

// dayOf is the UTC day of t, as YYYY-MM-DD.
func dayOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func docID(merchant, day string) string { return merchant + "|" + day }

// keyEscaper makes an id usable as a document field name (no dots, no
// leading dollar) without making two ids equal.
var keyEscaper = strings.NewReplacer("%", "%25", ".", "%2E", "$", "%24")

func fieldKey(id string) string { return keyEscaper.Replace(id) }

// recordSale adds s to its day's document unless the order is already
// there: one conditional upsert. When the order is there the filter
// matches nothing and the upsert's insert hits the _id. A duplicate key
// can also mean that another write created the document meanwhile, so the
// same conditional update runs once more without upsert, now that the
// document exists: it applies if the order is still missing and otherwise
// changes nothing. A redelivery never changes a sale (not even one
// cancelled since).
func (m *Model) recordSale(ctx context.Context, merchant string, s sale) error {
	day := dayOf(s.PaidAt)
	path := "sales." + fieldKey(s.OrderID)
	filter := bson.D{{Key: "_id", Value: docID(merchant, day)}, {Key: path, Value: bson.D{{Key: "$exists", Value: false}}}}
	update := bson.D{{Key: "$set", Value: bson.D{
		{Key: "merchant_id", Value: merchant},
		{Key: "day", Value: day},
		{Key: path, Value: s},
	}}}
	_, err := m.write.UpdateOne(ctx, filter, update, options.Update().SetUpsert(true))
	if mongodb.IsDuplicateKey(err) {
		_, err = m.write.UpdateOne(ctx, filter, update)
	}
	if err != nil {
		return mongodb.Translate(err, "record sale")
	}
	return nil
}

// setStatus moves the merchant's sale of orderID to status, looking in the
// day of at and the day before (a sale is shown for its own day only, so
// older ones no longer matter). A cancelled sale stays cancelled and a
// missing sale is left alone, so late and repeated events change nothing.
func (m *Model) setStatus(ctx context.Context, merchant, orderID string, at time.Time, status string) error {
	path := "sales." + fieldKey(orderID)
	for _, day := range []string{dayOf(at), dayOf(at.AddDate(0, 0, -1))} {
		res, err := m.write.UpdateOne(ctx,
			bson.D{
				{Key: "_id", Value: docID(merchant, day)},
				{Key: path, Value: bson.D{{Key: "$exists", Value: true}}},
				{Key: path + ".status", Value: bson.D{{Key: "$nin", Value: bson.A{status, statusCancelled}}}},
			},
			bson.D{{Key: "$set", Value: bson.D{{Key: path + ".status", Value: status}}}})
		if err != nil {
			return mongodb.Translate(err, "update sale status")
		}
		if res.MatchedCount > 0 {
			return nil
		}
	}
	return nil
}

// loadDay returns the merchant's sales of day (none when there is no
// document yet).
func (m *Model) loadDay(ctx context.Context, merchant, day string) ([]sale, error) {
	var d dayDoc
	err := m.read.FindOne(ctx, bson.D{{Key: "_id", Value: docID(merchant, day)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load sales of %s: %w", day, mongodb.Translate(err, "load sales"))
	}
	out := make([]sale, 0, len(d.Sales))
	for _, s := range d.Sales {
		out = append(out, s)
	}
	return out, nil
}
