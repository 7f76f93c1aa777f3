// Package mongodb connects a service to its own database with the settings
// that keep it correct on both MongoDB and the embedded FerretDB
// (docs/architecture.md "Storage rules"), and translates driver errors into
// apperr kinds.
package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"

	"github.com/mercato-shop/mercato/platform/config"
)

// Timeouts that make start-up fail clearly and /readyz reflect reality
// instead of hanging for the driver's 30 s default.
const (
	serverSelectionTimeout = 5 * time.Second
	connectTimeout         = 5 * time.Second
)

// Store is a service's database, reached through a read handle and a write
// handle.
//
// On MongoDB both handles share one client. With config.Mongo.MongoSingleWriter
// (the embedded FerretDB) Write goes through its own client with exactly one
// connection, because FerretDB v1 runs an update as "find, then write" and
// races across connections; over one connection conditional updates are
// exact. Every write (including the outbox relay's) must use Write.
type Store struct {
	// Read is for queries; its pool holds up to MongoReadPoolSize connections.
	Read *mongo.Database
	// Write is for every insert, update and delete.
	Write *mongo.Database
	// Writer addresses every conditional single-document write by _id,
	// emulating its guard with a single writer (see Writer).
	Writer *Writer

	readClient  *mongo.Client
	writeClient *mongo.Client // same as readClient unless single writer
}

// Connect opens the service's database (cfg.MongoDatabase, or the service
// name when empty) and pings it, so an unreachable store fails start-up with
// a clear error within a few seconds.
func Connect(ctx context.Context, cfg config.Mongo, service string) (*Store, error) {
	dbName := cfg.MongoDatabase
	if dbName == "" {
		dbName = service
	}
	if dbName == "" {
		return nil, errors.New("mongodb connect: no database name (MONGO_DATABASE or service name)")
	}
	readClient, err := mongo.Connect(ctx, clientOptions(cfg.MongoURI, cfg.MongoReadPoolSize))
	if err != nil {
		return nil, fmt.Errorf("mongodb connect: %w", err)
	}
	writeClient := readClient
	if cfg.MongoSingleWriter {
		writeClient, err = mongo.Connect(ctx, clientOptions(cfg.MongoURI, 1))
		if err != nil {
			_ = readClient.Disconnect(ctx)
			return nil, fmt.Errorf("mongodb connect writer: %w", err)
		}
	}
	s := &Store{
		Read:        readClient.Database(dbName),
		Write:       writeClient.Database(dbName),
		Writer:      NewWriter(cfg.MongoSingleWriter).ReadGuardsFrom(readClient.Database(dbName)),
		readClient:  readClient,
		writeClient: writeClient,
	}
	if err := s.Ping(ctx); err != nil {
		s.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("mongodb connect: %w", err)
	}
	return s, nil
}

// clientOptions are shared by the read and write clients. Retryable writes
// stay at the driver's default (on): MongoDB replica sets use them and
// FerretDB v1, a standalone server, accepts the session ids the driver sends.
func clientOptions(uri string, poolSize uint64) *options.ClientOptions {
	opts := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(serverSelectionTimeout).
		SetConnectTimeout(connectTimeout).
		SetMonitor(commandMonitor)
	if poolSize > 0 {
		opts.SetMaxPoolSize(poolSize)
	}
	return opts
}

// Ping checks that the store answers on both clients; /readyz calls it.
// Bound it with a context deadline.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.readClient.Ping(ctx, readpref.Primary()); err != nil {
		return Translate(err, "mongodb ping")
	}
	if s.writeClient != s.readClient {
		if err := s.writeClient.Ping(ctx, readpref.Primary()); err != nil {
			return Translate(err, "mongodb ping writer")
		}
	}
	return nil
}

// Close disconnects both clients, waiting for in-flight operations until
// ctx ends.
func (s *Store) Close(ctx context.Context) {
	_ = s.readClient.Disconnect(ctx)
	if s.writeClient != s.readClient {
		_ = s.writeClient.Disconnect(ctx)
	}
}
