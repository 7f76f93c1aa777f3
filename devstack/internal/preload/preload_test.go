package preload

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// TestHistoryIsTerminalAndConsistent checks the generated past without a
// store: every order terminal, stock counters that add up, and orders
// spread over many shoppers.
func TestHistoryIsTerminalAndConsistent(t *testing.T) {
	opts := Options{Orders: 5000, Seed: 42, Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}.withDefaults()
	h := generate(opts)
	if len(h.orders) != 5000 || len(h.products) != 500 || len(h.reservations) != 5000 {
		t.Fatalf("%d orders, %d products, %d reservations; want 5000, 500, 5000", len(h.orders), len(h.products), len(h.reservations))
	}
	sold := map[string]int64{}
	perShopper := map[string]int{}
	ids := map[string]bool{}
	for _, o := range h.orders {
		if ids[o.ID] {
			t.Fatalf("duplicate order id %s", o.ID)
		}
		ids[o.ID] = true
		perShopper[o.ShopperID]++
		switch o.Status {
		case "paid", "shipped":
			for _, l := range o.Lines {
				sold[l.ProductID] += l.Quantity
			}
		case "cancelled":
			if o.CancelReason == "" {
				t.Errorf("order %s cancelled without a reason", o.ID)
			}
		default:
			t.Fatalf("order %s is %q, not terminal", o.ID, o.Status)
		}
		if o.Deadline != nil || !o.CreatedAt.Before(opts.Now) || o.UpdatedAt.Before(o.CreatedAt) {
			t.Errorf("order %s: deadline %v, created %s, updated %s", o.ID, o.Deadline, o.CreatedAt, o.UpdatedAt)
		}
	}
	for _, p := range h.products {
		if p.Stock.Available+p.Stock.Held+p.Stock.Sold != p.Initial+p.Restocked || p.Stock.Available < 0 || p.Stock.Held != 0 {
			t.Errorf("product %s: stock %+v, initial %d, restocked %d", p.ID, p.Stock, p.Initial, p.Restocked)
		}
		if p.Stock.Sold != sold[p.ID] {
			t.Errorf("product %s sold %d, its paid and shipped lines %d", p.ID, p.Stock.Sold, sold[p.ID])
		}
	}
	most := 0
	for _, n := range perShopper {
		most = max(most, n)
	}
	if len(perShopper) < 500 || most > 100 {
		t.Errorf("%d shoppers, the busiest with %d orders: want a spread over many", len(perShopper), most)
	}
	if h.byStatus["shipped"] == 0 || h.byStatus["paid"] == 0 || h.byStatus["cancelled:payment_declined"] == 0 || h.byStatus["cancelled:out_of_stock"] == 0 {
		t.Errorf("statuses %v: want shipped, paid and both cancel reasons", h.byStatus)
	}
}

// TestRunWritesEveryDocument preloads the embedded FerretDB and reads the
// documents back as the services would find them.
func TestRunWritesEveryDocument(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(embeddedtest.MongoURI()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	var batches atomic.Int32
	opts := Options{Orders: 1200, Seed: 7, Batch: 500, Now: time.Now()}
	withProgress := opts
	withProgress.Progress = func(string, int, int) { batches.Add(1) }
	res, err := Run(ctx, client, withProgress)
	if err != nil {
		t.Fatal(err)
	}
	if res.Orders != 1200 || res.Products != 120 || res.Reservations != 1200 || res.Payments != 1200-res.ByStatus["cancelled:out_of_stock"] {
		t.Fatalf("result %+v", res)
	}
	count := func(db, coll string, filter bson.D) int64 {
		n, err := client.Database(db).Collection(coll).CountDocuments(ctx, filter)
		if err != nil {
			t.Fatalf("count %s.%s: %v", db, coll, err)
		}
		return n
	}
	if n := count(OrdersDB, ordersColl, bson.D{}); n != 1200 {
		t.Errorf("%d orders stored, want 1200", n)
	}
	if n := count(OrdersDB, ordersColl, bson.D{{Key: "status", Value: bson.D{{Key: "$nin", Value: bson.A{"paid", "shipped", "cancelled"}}}}}); n != 0 {
		t.Errorf("%d stored orders not terminal", n)
	}
	if n := count(CatalogDB, productsColl, bson.D{}); n != 120 {
		t.Errorf("%d products stored, want 120", n)
	}
	if n := count(PaymentsDB, paymentsColl, bson.D{}); n != int64(res.Payments) {
		t.Errorf("%d payments stored, want %d", n, res.Payments)
	}
	var o orderDoc
	one := generate(opts.withDefaults()).orders[0]
	if err := client.Database(OrdersDB).Collection(ordersColl).FindOne(ctx, bson.D{{Key: "_id", Value: one.ID}}).Decode(&o); err != nil {
		t.Fatalf("find the first order by _id: %v", err)
	}
	if o.ShopperID != one.ShopperID || len(o.Lines) != len(one.Lines) || !o.CreatedAt.Equal(one.CreatedAt) {
		t.Errorf("stored order %+v differs from generated %+v", o, one)
	}
	if n := batches.Load(); n < 7 { // products 1, orders 3, reservations 3, payments ≥ 2
		t.Errorf("%d progress calls, want one per batch", n)
	}
}
