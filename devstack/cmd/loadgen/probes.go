package main

import (
	"context"
	"fmt"
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
}

// snapshot is the counters at one moment.
type snapshot struct {
	at       time.Time
	offsets  topicOffsets
	commands commandCounts
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
		if s.commands, err = storeCommands(ctx, p.mongo); err != nil {
			return s, err
		}
	}
	return s, nil
}

// measureIdle records the store's commands over d without load.
func (p *probes) measureIdle(ctx context.Context, d time.Duration) error {
	if p.mongo == nil || d <= 0 {
		return nil
	}
	before, err := storeCommands(ctx, p.mongo)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := sleep(ctx, d); err != nil {
		return err
	}
	after, err := storeCommands(ctx, p.mongo)
	if err != nil {
		return err
	}
	p.idle, p.idleFor = commandDelta(before, after), time.Since(start)
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
