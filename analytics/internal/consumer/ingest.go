package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/analytics/internal/usecase"
	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
)

// IngestGroup is the consumer group of the behaviour consumer.
const IngestGroup = "analytics-ingest"

// Defaults of IngestOptions.
const (
	DefaultMaxBatch  = 2000
	DefaultBatchWait = 20 * time.Millisecond
)

// IngestOptions configure an Ingest consumer; Brokers, Service and DLQ
// are required.
type IngestOptions struct {
	Brokers []string
	// Topic defaults to analytics.ingest, Group to IngestGroup.
	Topic, Group string
	Service      *usecase.Service
	// DLQ receives messages that cannot be decoded.
	DLQ kafka.Publisher
	// MaxBatch is the most messages applied at once; BatchWait how long a
	// batch waits for more after its first message.
	MaxBatch  int
	BatchWait time.Duration
	Logger    *slog.Logger
	// Registerer receives the consumer's metrics (the lag histogram).
	Registerer prometheus.Registerer
}

// Ingest consumes analytics.ingest in a consumer group, one goroutine per
// assigned partition, each owning its partition (so its merchants) for a
// generation: fetch a batch, apply it in one bulk write, commit it. A
// rebalance ends the generation's goroutines and their guard caches.
type Ingest struct {
	opts     IngestOptions
	log      *slog.Logger
	lag      prometheus.Histogram
	applyDur prometheus.Histogram
	batch    prometheus.Histogram
	applied  prometheus.Counter
}

// NewIngest returns an Ingest consumer; Run starts it.
func NewIngest(opts IngestOptions) *Ingest {
	if opts.Topic == "" {
		opts.Topic = events.TopicAnalyticsIngest
	}
	if opts.Group == "" {
		opts.Group = IngestGroup
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.BatchWait <= 0 {
		opts.BatchWait = DefaultBatchWait
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := &Ingest{
		opts: opts,
		log:  opts.Logger.With("group", opts.Group),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "analytics_ingest_lag_seconds",
			Help:    "Time from the gateway's receipt of a behaviour event to its figures being stored.",
			Buckets: []float64{.01, .025, .05, .1, .2, .3, .4, .5, .6, .8, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 5, 10, 30},
		}),
		applyDur: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "analytics_ingest_apply_seconds",
			Help:    "Time to apply one fetched batch of behaviour messages (one bulk write).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "analytics_ingest_batch_messages",
			Help:    "Messages per applied batch.",
			Buckets: []float64{1, 5, 10, 50, 100, 500, 1000, 2000},
		}),
		applied: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "analytics_ingest_events_applied_total", Help: "Behaviour events applied to the figures.",
		}),
	}
	if opts.Registerer != nil {
		opts.Registerer.MustRegister(c.lag, c.applyDur, c.batch, c.applied)
	}
	return c
}

// Run consumes until ctx ends, then commits what it applied and leaves the
// group.
func (c *Ingest) Run(ctx context.Context) {
	group, err := kafkago.NewConsumerGroup(kafkago.ConsumerGroupConfig{
		ID:                c.opts.Group,
		Brokers:           c.opts.Brokers,
		Topics:            []string{c.opts.Topic},
		StartOffset:       kafkago.FirstOffset,
		SessionTimeout:    6 * time.Second,
		HeartbeatInterval: time.Second,
		RebalanceTimeout:  5 * time.Second,
		JoinGroupBackoff:  500 * time.Millisecond,
		ErrorLogger: kafkago.LoggerFunc(func(format string, args ...any) {
			c.log.Warn("kafka group: " + fmt.Sprintf(format, args...))
		}),
	})
	if err != nil {
		c.log.Error("ingest consumer group", "error", err.Error())
		return
	}
	defer func() {
		if err := group.Close(); err != nil {
			c.log.Warn("close ingest consumer group", "error", err.Error())
		}
	}()
	for {
		gen, err := group.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.log.Warn("join ingest group", "error", err.Error())
			if !sleep(ctx, time.Second) {
				return
			}
			continue
		}
		for _, a := range gen.Assignments[c.opts.Topic] {
			gen.Start(func(ctx context.Context) { c.partition(ctx, gen, a.ID, a.Offset) })
		}
	}
}

// partition applies one partition's messages from offset until the
// generation ends.
func (c *Ingest) partition(ctx context.Context, gen *kafkago.Generation, partition int, offset int64) {
	r := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers: c.opts.Brokers, Topic: c.opts.Topic, Partition: partition,
		MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond,
		ReadBackoffMin: 20 * time.Millisecond, ReadBackoffMax: 200 * time.Millisecond,
	})
	defer r.Close()
	if err := r.SetOffset(offset); err != nil {
		c.log.Error("ingest: set offset", "partition", partition, "offset", offset, "error", err.Error())
		return
	}
	state := usecase.NewPartition(c.opts.Topic, partition)
	for {
		batch, ok := c.fetch(ctx, r)
		if !ok {
			return
		}
		msgs, raw := c.decode(ctx, batch)
		if !c.apply(ctx, state, msgs, raw) {
			return // generation over: the next owner re-applies what was not committed
		}
		last := batch[len(batch)-1]
		if err := gen.CommitOffsets(map[string]map[int]int64{c.opts.Topic: {partition: last.Offset + 1}}); err != nil {
			// Not fatal: a redelivery is skipped by the documents' guards.
			c.log.Warn("ingest: commit", "partition", partition, "offset", last.Offset, "error", err.Error())
		}
	}
}

// fetch waits for a message, then takes what else arrives within
// BatchWait, up to MaxBatch.
func (c *Ingest) fetch(ctx context.Context, r *kafkago.Reader) ([]kafkago.Message, bool) {
	first, err := r.FetchMessage(ctx)
	if err != nil {
		return nil, false
	}
	batch := []kafkago.Message{first}
	waitCtx, cancel := context.WithTimeout(ctx, c.opts.BatchWait)
	defer cancel()
	for len(batch) < c.opts.MaxBatch {
		m, err := r.FetchMessage(waitCtx)
		if err != nil {
			break
		}
		batch = append(batch, m)
	}
	return batch, ctx.Err() == nil
}

// decode turns messages into behaviour messages; one that cannot be
// decoded goes to the dead-letter topic.
func (c *Ingest) decode(ctx context.Context, batch []kafkago.Message) ([]usecase.BehaviourMessage, map[int64]kafkago.Message) {
	out := make([]usecase.BehaviourMessage, 0, len(batch))
	raw := make(map[int64]kafkago.Message, len(batch))
	for _, km := range batch {
		m, err := decodeBatch(km)
		if err != nil {
			c.deadLetter(ctx, km, err)
			continue
		}
		out = append(out, m)
		raw[km.Offset] = km
	}
	return out, raw
}

func decodeBatch(km kafkago.Message) (usecase.BehaviourMessage, error) {
	env, err := events.Parse(km.Value)
	if err != nil {
		return usecase.BehaviourMessage{}, err
	}
	if env.Type != events.TypeBehaviourBatch {
		return usecase.BehaviourMessage{Offset: km.Offset}, nil // a type we do not know: nothing to count
	}
	var b events.BehaviourBatch
	if err := env.Decode(&b); err != nil {
		return usecase.BehaviourMessage{}, err
	}
	owner := b.MerchantID
	if owner == "" || owner == events.PlatformKey {
		owner = domain.Platform
	}
	m := usecase.BehaviourMessage{Offset: km.Offset, Owner: owner, ReceivedAt: b.ReceivedAt, Events: make([]domain.Behaviour, 0, len(b.Events))}
	for _, e := range b.Events {
		m.Events = append(m.Events, domain.Behaviour{Kind: e.Type, Time: e.Time, ProductID: e.ProductID, Quantity: e.Quantity, Query: e.Query, Results: e.Results})
	}
	return m, nil
}

func (c *Ingest) deadLetter(ctx context.Context, km kafkago.Message, cause error) {
	c.log.Error("ingest: undecodable message dead-lettered", "partition", km.Partition, "offset", km.Offset, "error", cause.Error())
	err := c.opts.DLQ.Publish(ctx, kafka.Message{
		Topic: kafka.DLQ(km.Topic), Key: string(km.Key), Value: km.Value,
		Headers: map[string]string{kafka.HeaderError: cause.Error(), kafka.HeaderOriginalTopic: km.Topic, kafka.HeaderConsumerGroup: c.opts.Group},
	})
	if err != nil {
		c.log.Error("ingest: dead-letter failed", "offset", km.Offset, "error", err.Error())
	}
}

// isolateAfter is how many failed attempts of a whole batch make the
// consumer apply its messages one by one, to dead-letter the one that
// fails (unless the store is unreachable: then it waits, however long).
const isolateAfter = 5

// apply applies msgs, retrying with backoff until it succeeds or ctx ends;
// it reports false only when ctx ended first.
func (c *Ingest) apply(ctx context.Context, state *usecase.Partition, msgs []usecase.BehaviourMessage, raw map[int64]kafkago.Message) bool {
	pause := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		start := time.Now()
		_, err := c.opts.Service.ApplyBehaviour(ctx, state, msgs)
		if err == nil {
			c.applyDur.Observe(time.Since(start).Seconds())
			c.batch.Observe(float64(len(msgs)))
			c.observe(msgs)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if attempt >= isolateAfter && !errors.Is(err, apperr.ErrUnavailable) {
			return c.isolate(ctx, state, msgs, raw)
		}
		c.log.Warn("ingest: apply batch failed, retrying", "source", state.Source, "messages", len(msgs), "attempt", attempt, "error", err.Error())
		if !sleep(ctx, pause) {
			return false
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// isolate applies msgs one at a time and dead-letters those that fail for
// a reason other than an unreachable store.
func (c *Ingest) isolate(ctx context.Context, state *usecase.Partition, msgs []usecase.BehaviourMessage, raw map[int64]kafkago.Message) bool {
	for _, m := range msgs {
		pause := 100 * time.Millisecond
		for {
			_, err := c.opts.Service.ApplyBehaviour(ctx, state, []usecase.BehaviourMessage{m})
			if err == nil {
				c.observe([]usecase.BehaviourMessage{m})
				break
			}
			if ctx.Err() != nil {
				return false
			}
			if !errors.Is(err, apperr.ErrUnavailable) {
				c.deadLetter(ctx, raw[m.Offset], err)
				break
			}
			if !sleep(ctx, pause) {
				return false
			}
			pause = min(2*pause, 5*time.Second)
		}
	}
	return true
}

// observe records the lag and count of applied messages.
func (c *Ingest) observe(msgs []usecase.BehaviourMessage) {
	now := time.Now()
	for _, m := range msgs {
		lag := now.Sub(m.ReceivedAt).Seconds()
		for range m.Events {
			c.lag.Observe(lag)
		}
		c.applied.Add(float64(len(m.Events)))
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
