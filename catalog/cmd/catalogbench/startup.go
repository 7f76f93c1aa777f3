package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/mercato-shop/mercato/catalog/internal/api"
	"github.com/mercato-shop/mercato/catalog/internal/consumer"
	"github.com/mercato-shop/mercato/catalog/internal/domain"
	"github.com/mercato-shop/mercato/catalog/internal/readmodel"
	"github.com/mercato-shop/mercato/catalog/internal/store"
	"github.com/mercato-shop/mercato/catalog/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded"
)

// measureStartup seeds n products through the catalog's use cases on a
// fresh FerretDB and kfake, then times the ways a replica can fill its
// read model on the same data, side by side: the path before snapshots
// (every product from the store, applied one by one), every product with
// the bulk Load, and the snapshot (written by a replica that has the
// model) plus the replay of catalog.events.
func measureStartup(ctx context.Context, n int) error {
	dir, err := os.MkdirTemp("", "catalogbench-startup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	mongoSrv, err := embedded.StartMongo(embedded.MongoOptions{DataDir: filepath.Join(dir, "mongo")})
	if err != nil {
		return err
	}
	defer mongoSrv.Close()
	kafkaSrv, err := embedded.StartKafka(embedded.KafkaOptions{})
	if err != nil {
		return err
	}
	defer kafkaSrv.Close()
	brokers := []string{kafkaSrv.Addr()}
	if err := kafka.EnsureTopics(ctx, brokers, 3, 1, events.TopicCatalog); err != nil {
		return err
	}
	db, err := mongodb.Connect(ctx, config.Mongo{MongoURI: mongoSrv.URI(), MongoDatabase: "catalog", MongoSingleWriter: true, MongoReadPoolSize: 16}, "catalog")
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	st := store.New(db, nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		return err
	}
	started := time.Now()
	if _, err := seed(ctx, usecase.New(usecase.Options{Store: st, Model: readmodel.New(func(domain.Product) []byte { return nil })}), n); err != nil {
		return err
	}
	fmt.Printf("seeded %d products in %v\n", n, time.Since(started).Round(time.Millisecond))
	if err := mongoSrv.IndexIDs(ctx); err != nil {
		return err
	}

	// Before: every product over the wire, applied one by one.
	started = time.Now()
	products, err := st.AllProducts(ctx)
	if err != nil {
		return err
	}
	read := time.Since(started)
	old := readmodel.New(api.RenderPublic)
	for _, p := range products {
		old.Apply(p)
	}
	fmt.Printf("before  (every product, Apply each):   %8v  (store read %v, model %v)\n",
		time.Since(started).Round(time.Millisecond), read.Round(time.Millisecond), (time.Since(started) - read).Round(time.Millisecond))

	started = time.Now()
	bulk := readmodel.New(api.RenderPublic)
	bulk.Load(products)
	fmt.Printf("        (bulk Load of the same products):  %8v\n", time.Since(started).Round(time.Millisecond))

	// A replica that has the model saves a snapshot ...
	writer := usecase.New(usecase.Options{Store: st, Model: old})
	started = time.Now()
	if _, err := writer.SaveSnapshot(ctx, map[int]int64{}); err != nil {
		return err
	}
	fmt.Printf("snapshot saved in %v\n", time.Since(started).Round(time.Millisecond))

	// ... and a new replica starts from it.
	model := readmodel.New(api.RenderPublic)
	svc := usecase.New(usecase.Options{Store: st, Model: model})
	follower := consumer.NewFollower(consumer.FollowerConfig{Brokers: brokers, Service: svc, Logger: slog.New(slog.DiscardHandler)})
	loaded, err := follower.Start(ctx, true)
	if err != nil {
		return err
	}
	fmt.Printf("after   (snapshot + replay, complete):  %8v  (%d products from the %s, %d events replayed)\n",
		loaded.Took.Round(time.Millisecond), model.Len(), loaded.Source, loaded.Replayed)
	return snapshotParts(ctx, st)
}

// snapshotParts times the parts of a start from the snapshot: reading its
// documents, decoding the chunks, indexing the products.
func snapshotParts(ctx context.Context, st *store.Store) error {
	started := time.Now()
	snap, err := st.LoadSnapshot(ctx)
	if err != nil {
		return err
	}
	read := time.Since(started)
	size := 0
	for _, c := range snap.Chunks {
		size += len(c)
	}
	started = time.Now()
	products, err := readmodel.DecodeChunks(snap.Chunks)
	if err != nil {
		return err
	}
	decoded := time.Since(started)
	started = time.Now()
	readmodel.New(api.RenderPublic).Load(products)
	fmt.Printf("        snapshot parts: read %d documents (%d KB) %v, decode %v, index %v\n",
		len(snap.Chunks)+1, size/1024, read.Round(time.Millisecond), decoded.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
	return nil
}
