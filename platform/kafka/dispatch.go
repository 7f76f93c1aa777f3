package kafka

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// fetched is a message and when dispatch fetched it.
type fetched struct {
	km kafkago.Message
	at time.Time
}

// partitionKey names one partition of one topic.
type partitionKey struct {
	topic     string
	partition int
}

// dispatch fetches messages and hands each to the worker of its partition,
// starting a worker the first time a partition shows up, until ctx ends.
// Each worker handles its partition's messages one after another in
// offset order and commits each after handling it, so:
//
//   - one key's messages (one partition) are handled in order, while
//     partitions proceed in parallel;
//   - an offset is committed only once it and every earlier offset of its
//     partition were handled or dead-lettered: a rebalance or a stop never
//     commits past a message nobody handled (at-least-once; the new owner
//     of a partition may see a few messages again, which handlers must
//     tolerate anyway).
//
// When ctx ends, dispatch stops fetching, lets each worker finish the
// message in hand (a message cut short stays uncommitted) and returns.
func (c *Consumer) dispatch(ctx context.Context, reader *kafkago.Reader) error {
	workers := map[partitionKey]chan fetched{}
	var wg sync.WaitGroup
	defer func() {
		for _, ch := range workers {
			close(ch)
		}
		wg.Wait()
	}()
	pause := c.cfg.InitialBackoff
	for {
		km, err := reader.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return nil
			}
			// The reader heals by itself (rejoins the group); keep asking.
			c.log.Warn("fetch message", "error", err)
			if !sleep(ctx, pause) {
				return nil
			}
			pause = min(2*pause, c.cfg.MaxBackoff)
			continue
		}
		pause = c.cfg.InitialBackoff
		now := time.Now()
		if !km.Time.IsZero() {
			c.metrics.step.WithLabelValues(c.cfg.GroupID, km.Topic, "delivered").Observe(max(now.Sub(km.Time), 0).Seconds())
		}
		key := partitionKey{topic: km.Topic, partition: km.Partition}
		ch, ok := workers[key]
		if !ok {
			ch = make(chan fetched, c.cfg.PartitionBuffer)
			workers[key] = ch
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.work(ctx, reader, ch)
			}()
		}
		select {
		case ch <- fetched{km: km, at: now}:
		case <-ctx.Done():
			return nil
		}
	}
}

// work handles one partition's messages in order. After ctx ends it
// handles nothing more: the rest stays uncommitted for the next owner.
func (c *Consumer) work(ctx context.Context, reader *kafkago.Reader, msgs <-chan fetched) {
	for f := range msgs {
		km := f.km
		if ctx.Err() != nil {
			continue // drain without handling
		}
		start := time.Now()
		c.metrics.step.WithLabelValues(c.cfg.GroupID, km.Topic, "queued").Observe(start.Sub(f.at).Seconds())
		handled := c.process(ctx, km)
		c.metrics.step.WithLabelValues(c.cfg.GroupID, km.Topic, "handled").Observe(time.Since(start).Seconds())
		if !handled {
			continue // cancelled mid-message: leave it uncommitted
		}
		c.commit(ctx, reader, km)
	}
}
