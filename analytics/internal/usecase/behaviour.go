// Package usecase applies events to the analytics figures idempotently and
// serves the dashboard and reports from them.
package usecase

import (
	"context"
	"fmt"
	"time"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/analytics/internal/store"
)

// BehaviourMessage is one consumed behaviour batch: the events of one
// ingestion request and merchant, at its partition offset.
type BehaviourMessage struct {
	Offset     int64
	Owner      string // merchant id or domain.Platform
	ReceivedAt time.Time
	Events     []domain.Behaviour
}

// Partition is the state of one owned partition of analytics.ingest: the
// applied offset of every document it has touched since it was assigned.
// It lives as long as one assignment (one consumer group generation), so
// after a rebalance the new owner reads the guards afresh.
type Partition struct {
	// Source names the partition in the documents' guards, "<topic>-<n>".
	Source  string
	applied map[string]int64
}

// NewPartition returns the state of a newly assigned partition.
func NewPartition(topic string, partition int) *Partition {
	return &Partition{Source: fmt.Sprintf("%s-%d", topic, partition), applied: map[string]int64{}}
}

// maxCachedDocs bounds a partition's guard cache; past it the cache starts
// over (the guards are read again from the documents).
const maxCachedDocs = 50_000

// ApplyBehaviour adds a fetched batch of messages of one partition to the
// figures: the merchant's and the platform's document of each event's day.
// Per document, messages at or below the document's applied offset for
// this partition are skipped, so a redelivery (a restart, a reset of the
// group's offsets) counts nothing twice; everything else becomes one
// increment per document and day, written in one bulk write that also
// moves the guard. It returns the documents' owners that changed.
func (s *Service) ApplyBehaviour(ctx context.Context, p *Partition, msgs []BehaviourMessage) ([]string, error) {
	if len(p.applied) > maxCachedDocs {
		p.applied = map[string]int64{}
	}
	deltas := map[string]*store.Write{}
	var order []string
	for _, m := range msgs {
		for _, ev := range m.Events {
			owners := []string{m.Owner}
			if m.Owner != domain.Platform {
				owners = append(owners, domain.Platform)
			}
			for _, owner := range owners {
				k := domain.Key{Owner: owner, Day: domain.DayOf(ev.Time)}
				applied, err := s.appliedOffset(ctx, p, k)
				if err != nil {
					return nil, err
				}
				if m.Offset <= applied {
					continue // counted before this delivery
				}
				w := deltas[k.ID()]
				if w == nil {
					w = &store.Write{Delta: domain.NewFigures(k), Source: p.Source}
					deltas[k.ID()] = w
					order = append(order, k.ID())
				}
				if owner == domain.Platform && m.Owner != domain.Platform {
					w.Delta.AddBehaviourTotals(ev) // the platform's products come from sales only
				} else {
					w.Delta.AddBehaviour(ev)
				}
				w.Offset = max(w.Offset, m.Offset)
			}
		}
	}
	writes := make([]store.Write, 0, len(order))
	owners := map[string]bool{}
	for _, id := range order {
		writes = append(writes, *deltas[id])
		owners[deltas[id].Delta.Key.Owner] = true
	}
	if err := s.store.Apply(ctx, writes); err != nil {
		// Part of the bulk write may have landed: read those guards again.
		for _, id := range order {
			delete(p.applied, id)
		}
		return nil, err
	}
	for _, w := range writes {
		p.applied[w.Delta.Key.ID()] = w.Offset
	}
	out := make([]string, 0, len(owners))
	for o := range owners {
		out = append(out, o)
		s.hub.Notify(o)
	}
	return out, nil
}

// appliedOffset is the offset of p last applied to k's document: from the
// cache, or read once from the document (-1 when none).
func (s *Service) appliedOffset(ctx context.Context, p *Partition, k domain.Key) (int64, error) {
	if off, ok := p.applied[k.ID()]; ok {
		return off, nil
	}
	g, err := s.store.Guards(ctx, k)
	if err != nil {
		return 0, err
	}
	off, ok := g.Offsets[store.SourceKey(p.Source)]
	if !ok {
		off = -1
	}
	p.applied[k.ID()] = off
	return off, nil
}
