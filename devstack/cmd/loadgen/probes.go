package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// probes read the broker's and the store's counters; either is skipped
// when its address is unknown.
type probes struct {
	kafkaAddr string
	mongoURI  string
	mongo     *mongo.Client
	// idle is the store's command delta over idleFor before the load: the
	// services' background work (pollers, consumers, health checks).
	idle    commandCounts
	idleFor time.Duration
	// ownCalls counts the serverStatus commands loadgen itself sent, so
	// the report can leave them out.
	ownCalls atomic.Int64
}

// snapshot is the counters at one moment.
type snapshot struct {
	at       time.Time
	offsets  topicOffsets
	commands commandCounts
	// ownCalls is how many serverStatus loadgen had sent by then.
	ownCalls int64
}

// storeDelta is after minus before, per command, without loadgen's own
// serverStatus calls.
func storeDelta(before, after snapshot) commandCounts {
	d := commandDelta(before.commands, after.commands)
	if n := d["serverStatus"] - (after.ownCalls - before.ownCalls); n > 0 {
		d["serverStatus"] = n
	} else {
		delete(d, "serverStatus")
	}
	return d
}

// rawResult is the store's raw conditional-update rate.
type rawResult struct {
	perSecond float64
	updates   int
}

func newProbes(ctx context.Context, cfg config) (*probes, error) {
	p := &probes{kafkaAddr: cfg.kafkaAddr, mongoURI: cfg.mongoURI}
	if cfg.mongoURI != "" {
		client, err := mongo.Connect(ctx, options.Client().ApplyURI(cfg.mongoURI).SetMaxPoolSize(1))
		if err != nil {
			return nil, fmt.Errorf("connect to the store: %w", err)
		}
		p.mongo = client
	}
	return p, nil
}

func (p *probes) close() {
	if p.mongo != nil {
		_ = p.mongo.Disconnect(context.Background())
	}
}

// snapshot reads the topics' high-water marks and the store's counters.
func (p *probes) snapshot(ctx context.Context) (snapshot, error) {
	s := snapshot{at: time.Now()}
	var err error
	if p.kafkaAddr != "" {
		if s.offsets, err = kafkaOffsets(ctx, p.kafkaAddr); err != nil {
			return s, err
		}
	}
	if p.mongo != nil {
		if s.commands, err = p.storeCommands(ctx); err != nil {
			return s, err
		}
	}
	s.ownCalls = p.ownCalls.Load()
	return s, nil
}

// storeCommands reads the store's counters, counting the call as loadgen's.
func (p *probes) storeCommands(ctx context.Context) (commandCounts, error) {
	p.ownCalls.Add(1)
	return storeCommands(ctx, p.mongo)
}

// point is the counters' totals at one moment of the run.
type point struct {
	at                 time.Duration // since the run's start
	kafka, commands    int64
	hasKafka, hasStore bool
	ownCalls           int64
}

// sample snapshots the counters every interval from start until ctx ends,
// and returns the points (read them after ctx ended and done is closed).
func (p *probes) sample(ctx context.Context, start time.Time, interval time.Duration) (points *[]point, done <-chan struct{}) {
	out := &[]point{}
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		if interval <= 0 || (p.kafkaAddr == "" && p.mongo == nil) {
			return
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s, err := p.snapshot(ctx)
			if err == nil {
				*out = append(*out, point{at: s.at.Sub(start), kafka: s.offsets.sum(), commands: s.commands.total(),
					hasKafka: s.offsets != nil, hasStore: s.commands != nil, ownCalls: s.ownCalls})
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return out, ch
}

// measureIdle records the store's commands over d without load.
func (p *probes) measureIdle(ctx context.Context, d time.Duration) error {
	if p.mongo == nil || d <= 0 {
		return nil
	}
	before, err := p.snapshot(ctx)
	if err != nil {
		return err
	}
	if err := sleep(ctx, d); err != nil {
		return err
	}
	after, err := p.snapshot(ctx)
	if err != nil {
		return err
	}
	p.idle, p.idleFor = storeDelta(before, after), after.at.Sub(before.at)
	return nil
}

// rawRate measures the store's raw rate when the store is known.
func (p *probes) rawRate(ctx context.Context, d time.Duration) (rawResult, error) {
	if p.mongoURI == "" || d <= 0 {
		return rawResult{}, nil
	}
	perSecond, n, err := rawStoreRate(ctx, p.mongoURI, d)
	return rawResult{perSecond: perSecond, updates: n}, err
}
