// Package config reads a service's configuration from environment variables
// into one typed struct (12-factor), with defaults, using caarlos0/env.
//
// Each service declares its own struct, embeds Common, and calls Load. A bad
// or missing value fails start-up with an error naming the variable. Fields
// tagged `secret:"true"` are redacted by Redacted, which is what services log.
package config

import (
	"time"
)

// Common is the configuration every service reads.
type Common struct {
	// Service is the service name; set by the service, not the environment.
	Service string `env:"-"`
	// HTTPAddr is the listen address of the service's HTTP server.
	HTTPAddr string `env:"HTTP_ADDR"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL" envDefault:"info"`
	// ShutdownTimeout bounds the drain on SIGTERM.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"10s"`
	// MaxBodyBytes limits request bodies (413 beyond).
	MaxBodyBytes int64 `env:"MAX_BODY_BYTES" envDefault:"1048576"`
}

// Mongo is the storage configuration of a service that owns a database.
type Mongo struct {
	// MongoURI is the MongoDB connection string; it may hold a password.
	MongoURI string `env:"MONGO_URI" envDefault:"mongodb://127.0.0.1:27017" secret:"true"`
	// MongoDatabase defaults to the service name.
	MongoDatabase string `env:"MONGO_DATABASE"`
	// MongoSingleWriter makes every write go through a one-connection client,
	// which the embedded FerretDB needs for atomic conditional updates
	// (docs/architecture.md "Storage rules"). Leave false on MongoDB.
	MongoSingleWriter bool `env:"MONGO_SINGLE_WRITER" envDefault:"false"`
	// MongoReadPoolSize is the read client's maximum pool size.
	MongoReadPoolSize uint64 `env:"MONGO_READ_POOL_SIZE" envDefault:"16"`
}

// Kafka is the event-transport configuration of a service.
type Kafka struct {
	// KafkaBrokers is a comma-separated list of bootstrap addresses.
	KafkaBrokers []string `env:"KAFKA_BROKERS" envDefault:"127.0.0.1:9092" envSeparator:","`
	// KafkaPartitions is the partition count of topics this service
	// creates. Partitions are a consumer's unit of parallelism (one worker
	// each, see kafka.Consumer): with 3, payments' handlers, which wait on
	// Stripe, queued behind each other under sustained load
	// (docs/performance.md).
	KafkaPartitions int `env:"KAFKA_PARTITIONS" envDefault:"12"`
	// KafkaReplicationFactor of topics this service creates.
	KafkaReplicationFactor int `env:"KAFKA_REPLICATION_FACTOR" envDefault:"1"`
	// OutboxSweepInterval is how often the outbox relay scans its
	// collections for events nobody was notified about; 0 (the default)
	// scans only at start-up, which covers every event a crashed process
	// left (see outbox.RelayOptions.SweepInterval).
	OutboxSweepInterval time.Duration `env:"OUTBOX_SWEEP_INTERVAL" envDefault:"0s"`
}

// Auth is how a service verifies access tokens issued by the users service.
type Auth struct {
	// AuthJWKSURL is the users service's JWKS endpoint.
	AuthJWKSURL string `env:"AUTH_JWKS_URL" envDefault:"http://127.0.0.1:8081/.well-known/jwks.json"`
	// AuthIssuer is the iss claim tokens must carry.
	AuthIssuer string `env:"AUTH_ISSUER" envDefault:"mercato-users"`
	// AuthAudience is the aud claim tokens must carry.
	AuthAudience string `env:"AUTH_AUDIENCE" envDefault:"mercato"`
}
