// Package analytics is the merchant sales read model of the orders service:
// the live dashboard of the merchant console. It is fed by the orders
// service's own events (order.paid, order.cancelled, order.shipped on
// orders.events), keeps what it learns in MongoDB, and serves
// GET /api/v1/merchant/analytics/summary and the Server-Sent Events stream
// GET /api/v1/merchant/analytics/stream, each for the caller's merchant only.
//
// Storage: one document per merchant and UTC day (_id "<merchant>|<day>")
// holding that day's sales by order id. Recording a sale is one conditional
// single-document upsert that only applies when the order is not in the
// document yet, so a redelivered event changes nothing; cancelling or
// shipping is one conditional update of the sale's status. A summary is one
// or two reads by _id, and a restart loses nothing: the numbers come from
// the documents, not from memory. Every instance answers for every
// merchant: a stream is woken at once by sales this instance records and
// looks again every RefreshInterval for sales recorded by other instances.
package analytics

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/events"
)

// Collection is the collection of per-merchant daily sales documents.
const Collection = "merchant_sales_days"

// Defaults of Options.
const (
	DefaultRefreshInterval   = time.Second
	DefaultHeartbeatInterval = 15 * time.Second
)

// Options configure a Model.
type Options struct {
	// Read and Write are the service's database handles (Write is the
	// single-writer handle on FerretDB).
	Read, Write *mongo.Database
	// Logger receives stream and handler diagnostics; slog.Default if nil.
	Logger *slog.Logger
	// Now is the clock (tests fix the day); time.Now if nil.
	Now func() time.Time
	// RefreshInterval is how often an open stream looks for sales recorded
	// by other instances of the service (default 1 s).
	RefreshInterval time.Duration
	// HeartbeatInterval is how often an idle stream sends a comment so
	// proxies keep it open (default 15 s).
	HeartbeatInterval time.Duration
}

// Model is the merchant sales read model.
type Model struct {
	read, write *mongo.Collection
	log         *slog.Logger
	now         func() time.Time
	refresh     time.Duration
	heartbeat   time.Duration
	hub         *hub
	done        chan struct{}
	closed      bool
}

// New returns a Model over opts' database. It needs no index: every
// query is by _id.
func New(opts Options) *Model {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = DefaultHeartbeatInterval
	}
	return &Model{
		read:      opts.Read.Collection(Collection),
		write:     opts.Write.Collection(Collection),
		log:       opts.Logger,
		now:       opts.Now,
		refresh:   opts.RefreshInterval,
		heartbeat: opts.HeartbeatInterval,
		hub:       newHub(),
		done:      make(chan struct{}),
	}
}

// Register adds the model's event handlers to h: order.paid records the
// sale for each merchant of its lines, order.cancelled of a paid order
// takes it out of the numbers, order.shipped marks it shipped. Consume
// orders.events with h.
func (m *Model) Register(h *events.Handlers) {
	events.On(h, events.TypeOrderPaid, m.onPaid)
	events.On(h, events.TypeOrderCancelled, m.onCancelled)
	events.On(h, events.TypeOrderShipped, m.onShipped)
}

// StopStreamsWhenDone blocks until ctx ends, then ends every open stream,
// so a graceful shutdown is not held up by dashboards; run it with
// app.Go(model.StopStreamsWhenDone).
func (m *Model) StopStreamsWhenDone(ctx context.Context) {
	<-ctx.Done()
	m.Close()
}

// Close ends every open stream; new streams end at once. It is safe to
// call more than once.
func (m *Model) Close() {
	m.hub.mu.Lock()
	defer m.hub.mu.Unlock()
	if !m.closed {
		m.closed = true
		close(m.done)
	}
}

func (m *Model) onPaid(ctx context.Context, env events.Envelope, e events.OrderPaid) error {
	paidAt := e.PaidAt
	if paidAt.IsZero() {
		paidAt = env.Time
	}
	for merchant, lines := range linesByMerchant(e.Lines) {
		s := sale{OrderID: e.OrderID, PaidAt: paidAt.UTC(), Status: statusPaid, Lines: lines}
		if err := m.recordSale(ctx, merchant, s); err != nil {
			return fmt.Errorf("analytics: record order %s for merchant %s: %w", e.OrderID, merchant, err)
		}
		m.hub.notify(merchant)
	}
	return nil
}

func (m *Model) onCancelled(ctx context.Context, env events.Envelope, e events.OrderCancelled) error {
	if !e.WasPaid {
		return nil // never counted: only paid orders are sales
	}
	at := e.CancelledAt
	if at.IsZero() {
		at = env.Time
	}
	for merchant := range linesByMerchant(e.Lines) {
		if err := m.setStatus(ctx, merchant, e.OrderID, at, statusCancelled); err != nil {
			return fmt.Errorf("analytics: cancel order %s for merchant %s: %w", e.OrderID, merchant, err)
		}
		m.hub.notify(merchant)
	}
	return nil
}

func (m *Model) onShipped(ctx context.Context, env events.Envelope, e events.OrderShipped) error {
	at := e.ShippedAt
	if at.IsZero() {
		at = env.Time
	}
	if err := m.setStatus(ctx, e.MerchantID, e.OrderID, at, statusShipped); err != nil {
		return fmt.Errorf("analytics: ship order %s for merchant %s: %w", e.OrderID, e.MerchantID, err)
	}
	m.hub.notify(e.MerchantID)
	return nil
}

// linesByMerchant groups an order's lines by merchant; lines without a
// merchant are skipped.
func linesByMerchant(lines []events.OrderLine) map[string][]line {
	out := map[string][]line{}
	for _, l := range lines {
		if l.MerchantID == "" {
			continue
		}
		out[l.MerchantID] = append(out[l.MerchantID], line{
			ProductID: l.ProductID, Name: l.Name,
			UnitPrice: l.UnitPrice.Amount, Currency: l.UnitPrice.Currency, Quantity: l.Quantity,
		})
	}
	return out
}
