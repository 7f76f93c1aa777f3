// Package store keeps the orders service's carts and orders in MongoDB (or the
// embedded FerretDB): documents to and from domain types, one single-document
// write per state change (docs/architecture.md "Storage rules"), events in the
// written document's outbox.
package store

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/orders/internal/usecase"
	"github.com/mercato-shop/mercato/platform/listindex"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/platform/timerwheel"
)

// Collection names.
const (
	OrdersCollection    = "orders"
	CartsCollection     = "carts"
	DeadlinesCollection = "order_deadlines"
	ListsCollection     = "order_lists"
	// DiscountsCollection holds the codes, DiscountUsesCollection each
	// shopper's uses of one, DiscountListsCollection each merchant's list.
	DiscountsCollection     = "discounts"
	DiscountUsesCollection  = "discount_uses"
	DiscountListsCollection = "discount_lists"
	// RatesCollection holds the merchants' shipping rate tables.
	RatesCollection = "shipping_rates"
)

// ErrStale is returned by a conditional update whose order changed since
// it was read; the caller reads it again and decides anew.
var ErrStale = usecase.ErrStale

// The stores are the use cases' ports.
var (
	_ usecase.OrderStore = (*Orders)(nil)
	_ usecase.CartStore  = (*Carts)(nil)
	_ usecase.CodeStore  = (*Discounts)(nil)
	_ usecase.RateStore  = (*Rates)(nil)
)

// OpenPricing returns the stores of discount codes and shipping rates over
// db. Every read and write is by _id; they need no index.
func OpenPricing(db *mongodb.Store) (*Discounts, *Rates) {
	discounts := &Discounts{
		read:     db.Read.Collection(DiscountsCollection),
		write:    db.Write.Collection(DiscountsCollection),
		shoppers: db.Read.Collection(DiscountUsesCollection),
		shopperW: db.Write.Collection(DiscountUsesCollection),
		writer:   db.Writer,
		lists:    listindex.New(db, DiscountListsCollection),
	}
	rates := &Rates{read: db.Read.Collection(RatesCollection), write: db.Write.Collection(RatesCollection), writer: db.Writer}
	return discounts, rates
}

// Open returns the stores over db (its Write handle is the single writer on
// FerretDB; every write by _id goes through its Writer) and creates their
// indexes. notifier may be nil.
func Open(ctx context.Context, db *mongodb.Store, notifier outbox.Notifier) (*Orders, *Carts, error) {
	if notifier == nil {
		notifier = outbox.Discard
	}
	orders := &Orders{
		read:     db.Read.Collection(OrdersCollection),
		write:    db.Write.Collection(OrdersCollection),
		writer:   db.Writer,
		timers:   timerwheel.New(db, DeadlinesCollection, timerwheel.Options{}),
		lists:    listindex.New(db, ListsCollection),
		notifier: notifier,
	}
	notifier.Watch(orders.write)
	carts := &Carts{read: db.Read.Collection(CartsCollection), write: db.Write.Collection(CartsCollection), writer: db.Writer}
	// Orders are read by _id on hot paths; these serve the lists and the
	// deadline sweep on MongoDB (FerretDB scans either way). One call per
	// index: FerretDB v1 drops the connection when a createIndexes of
	// several indexes finds them all existing (every restart).
	for _, index := range []mongo.IndexModel{
		{Keys: bson.D{{Key: "shopper_id", Value: 1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: -1}},
			Options: options.Index().SetName("shopper_newest")},
		{Keys: bson.D{{Key: "merchant_ids", Value: 1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: -1}},
			Options: options.Index().SetName("merchant_newest")},
		{Keys: bson.D{{Key: "deadline", Value: 1}}, Options: options.Index().SetName("deadline")},
	} {
		if err := mongodb.EnsureIndexes(ctx, orders.write, index); err != nil {
			return nil, nil, err
		}
	}
	if err := orders.timers.Init(ctx, orders.backfillDeadlines); err != nil {
		return nil, nil, err
	}
	if err := orders.lists.Backfill(ctx, orders.backfillLists); err != nil {
		return nil, nil, err
	}
	return orders, carts, nil
}
