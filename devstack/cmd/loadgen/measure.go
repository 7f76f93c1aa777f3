package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// topicOffsets maps a topic to the sum of its partitions' high-water marks,
// i.e. how many messages were ever written to it.
type topicOffsets map[string]int64

// kafkaOffsets reads the high-water mark of every partition of every
// topic on the broker at addr.
func kafkaOffsets(ctx context.Context, addr string) (topicOffsets, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c := &kafka.Client{Addr: kafka.TCP(addr)}
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return nil, fmt.Errorf("kafka metadata: %w", err)
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for _, t := range md.Topics {
		for _, p := range t.Partitions {
			req.Topics[t.Name] = append(req.Topics[t.Name], kafka.LastOffsetOf(p.ID))
		}
	}
	res, err := c.ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("kafka list offsets: %w", err)
	}
	out := topicOffsets{}
	for topic, parts := range res.Topics {
		for _, p := range parts {
			if p.Error != nil {
				return nil, fmt.Errorf("kafka offsets of %s/%d: %w", topic, p.Partition, p.Error)
			}
			out[topic] += p.LastOffset
		}
	}
	return out, nil
}

// commandCounts maps a store command name (insert, update, find, ...) to how
// often FerretDB has answered it since it started.
type commandCounts map[string]int64

// writeCommands are the commands that change data.
var writeCommands = map[string]bool{"insert": true, "update": true, "delete": true, "findAndModify": true}

// total is the sum of every command's count.
func (c commandCounts) total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// sum is the number of messages on every topic.
func (o topicOffsets) sum() int64 {
	var n int64
	for _, v := range o {
		n += v
	}
	return n
}

// storeCommands reads FerretDB's per-command counters from serverStatus
// (its metrics.commands extension); on a real MongoDB, which has no such
// counters, it reads opcounters (insert, query, update, delete, getmore,
// command) instead.
func storeCommands(ctx context.Context, client *mongo.Client) (commandCounts, error) {
	var status struct {
		Metrics struct {
			Commands map[string]struct {
				Total int64 `bson:"total"`
			} `bson:"commands"`
		} `bson:"metrics"`
		Opcounters map[string]int64 `bson:"opcounters"`
	}
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "serverStatus", Value: 1}}).Decode(&status); err != nil {
		return nil, fmt.Errorf("serverStatus: %w", err)
	}
	out := commandCounts{}
	for name, c := range status.Metrics.Commands {
		out[name] = c.Total
	}
	if len(out) == 0 {
		for name, n := range status.Opcounters {
			out[name] = n
		}
	}
	if len(out) == 0 {
		return nil, errors.New("serverStatus has neither metrics.commands nor opcounters")
	}
	return out, nil
}

// commandDelta is after minus before, per command, without zeros.
func commandDelta(before, after commandCounts) commandCounts {
	out := commandCounts{}
	for name, n := range after {
		if d := n - before[name]; d != 0 {
			out[name] = d
		}
	}
	return out
}

// split sums a delta into write commands and all commands.
func (c commandCounts) split() (writes, total int64) {
	for name, n := range c {
		total += n
		if writeCommands[name] {
			writes += n
		}
	}
	return writes, total
}

// names are the commands sorted by count, highest first.
func (c commandCounts) names() []string {
	names := make([]string, 0, len(c))
	for name := range c {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if c[names[i]] != c[names[j]] {
			return c[names[i]] > c[names[j]]
		}
		return names[i] < names[j]
	})
	return names
}

// rawStoreRate measures single-document conditional updates per second
// over one connection for about d, on a scratch database it drops after.
func rawStoreRate(ctx context.Context, uri string, d time.Duration) (float64, int, error) {
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri).SetMaxPoolSize(1))
	if err != nil {
		return 0, 0, fmt.Errorf("raw rate: connect: %w", err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	db := client.Database(fmt.Sprintf("loadgen_raw_%d", time.Now().UnixNano()))
	defer func() { _ = db.Drop(context.Background()) }()
	coll := db.Collection("counter")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: 0}}); err != nil {
		return 0, 0, fmt.Errorf("raw rate: insert: %w", err)
	}
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "c"}, {Key: "n", Value: n}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
		if err != nil {
			return 0, n, fmt.Errorf("raw rate: update %d: %w", n, err)
		}
		if res.ModifiedCount != 1 {
			return 0, n, fmt.Errorf("raw rate: update %d matched no document", n)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), n, nil
}
