// Package embedded starts the infrastructure of Mercato's embedded default
// inside the current process: a Kafka-protocol broker (franz-go's kfake) and
// a MongoDB-protocol server (FerretDB v1 on SQLite). The devstack uses it with
// fixed ports and a data folder; tests use it with port 0 and a temporary
// folder, so every test gets real protocol servers on random ports.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/twmb/franz-go/pkg/kfake"
)

// Kafka is a running in-process Kafka-protocol broker.
type Kafka struct {
	cluster *kfake.Cluster
	addr    string
	ln      *switchListener
}

// KafkaOptions configure StartKafka.
type KafkaOptions struct {
	// Port to listen on, 0 for a random free port.
	Port int
	// DataDir persists topics, offsets and groups; empty keeps them in memory.
	DataDir string
	// Partitions is the default partition count of created topics (default 3).
	Partitions int
}

// StartKafka starts a kfake broker on 127.0.0.1. The group session timeout
// floor is lowered so kafka-go's consumer groups rebalance within seconds
// after a member dies, and a client that dies while its
// JoinGroup waits is seen gone only once that JoinGroup is answered, so
// its member times out instead of keeping partitions (joinHoldConn).
func StartKafka(opts KafkaOptions) (*Kafka, error) {
	if opts.Partitions <= 0 {
		opts.Partitions = 3
	}
	var ln *switchListener // the first broker's, for SetReachable
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(opts.Port),
		kfake.DefaultNumPartitions(opts.Partitions),
		kfake.GroupMinSessionTimeout(time.Second),
		kfake.AllowAutoTopicCreation(),
		kfake.ListenFn(func(network, address string) (net.Listener, error) {
			_, port, err := net.SplitHostPort(address)
			if err != nil {
				return nil, err
			}
			l, err := listenSwitch(network, net.JoinHostPort("127.0.0.1", port))
			if err != nil {
				return nil, err
			}
			// A client that dies in a JoinGroup must not leave a member
			// without a session timer (see joinHoldConn).
			l.wrap = func(c net.Conn) net.Conn { return newJoinHoldConn(c) }
			if ln == nil {
				ln = l
			}
			return l, nil
		}),
	}
	if opts.DataDir != "" {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("kafka data dir: %w", err)
		}
		kopts = append(kopts, kfake.DataDir(opts.DataDir))
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		return nil, fmt.Errorf("start kafka broker: %w", err)
	}
	addrs := c.ListenAddrs()
	if len(addrs) == 0 {
		c.Close()
		return nil, errors.New("start kafka broker: no listen address")
	}
	return &Kafka{cluster: c, addr: addrs[0], ln: ln}, nil
}

// SetReachable takes the broker's listener down (false: the port refuses
// connections and every open connection is closed, as when the broker's
// host is gone) or brings it back on the same port (true). The broker
// keeps its data and groups meanwhile.
func (k *Kafka) SetReachable(up bool) error {
	if k.ln == nil {
		return errors.New("kafka: no switchable listener")
	}
	if up {
		return k.ln.Up()
	}
	return k.ln.Down()
}

// Reachable says whether the broker's listener is up.
func (k *Kafka) Reachable() bool { return k.ln != nil && k.ln.IsUp() }

// Addr is the bootstrap address, host:port.
func (k *Kafka) Addr() string { return k.addr }

// Cluster exposes the kfake cluster, for tests that inject broker faults.
func (k *Kafka) Cluster() *kfake.Cluster { return k.cluster }

// Close stops the broker, flushing persisted state.
func (k *Kafka) Close() { k.cluster.Close() }

// Mongo is a running in-process FerretDB server.
type Mongo struct {
	cancel  context.CancelFunc
	done    chan error
	uri     string
	indexer *idIndexer // nil on PostgreSQL
	front   *switchListener
}

// MongoOptions configure StartMongo.
type MongoOptions struct {
	// Port to listen on, 0 for a random free port.
	Port int
	// DataDir holds the SQLite files (required).
	DataDir string
	// PostgreSQLURL, when set, makes FerretDB store in PostgreSQL instead.
	PostgreSQLURL string
	// Logger for FerretDB's own logs; nil discards them below warnings.
	Logger *slog.Logger
	// Switchable puts a forwarding listener on Port in front of FerretDB
	// (which then listens on a private port), so that SetReachable can cut
	// the clients off and let them back in. It costs a copy of every byte.
	Switchable bool
}

// StartMongo starts FerretDB on 127.0.0.1 and waits until it accepts
// connections.
func StartMongo(opts MongoOptions) (*Mongo, error) {
	if opts.DataDir == "" && opts.PostgreSQLURL == "" {
		return nil, errors.New("start mongo: DataDir is required")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var front *switchListener
	listen := net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Port))
	if opts.Switchable {
		l, err := listenSwitch("tcp", listen)
		if err != nil {
			return nil, fmt.Errorf("start mongo: %w", err)
		}
		front, listen = l, "127.0.0.1:0"
	}
	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listen},
		Logger:   logger,
	}
	var indexer *idIndexer
	if opts.PostgreSQLURL != "" {
		cfg.Handler = "postgresql"
		cfg.PostgreSQLURL = opts.PostgreSQLURL
	} else {
		dir, err := filepath.Abs(opts.DataDir)
		if err != nil {
			return nil, fmt.Errorf("mongo data dir: %w", err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("mongo data dir: %w", err)
		}
		cfg.Handler = "sqlite"
		// WAL (FerretDB's default) with synchronous=normal survives a crash
		// of any process; only a power loss may drop the last commits.
		cfg.SQLiteURL = "file:" + dir + "/?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)&_pragma=synchronous(normal)"
		indexer = newIDIndexer(dir, logger)
	}
	f, err := ferretdb.New(cfg)
	if err != nil {
		if front != nil {
			_ = front.Close()
		}
		return nil, fmt.Errorf("start mongo: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Mongo{cancel: cancel, done: make(chan error, 1), indexer: indexer, front: front}
	go func() { m.done <- f.Run(ctx) }()
	if indexer != nil {
		go indexer.run(ctx)
	}

	// MongoDBURI blocks until the listener is bound.
	uriCh := make(chan string, 1)
	go func() { uriCh <- f.MongoDBURI() }()
	select {
	case m.uri = <-uriCh:
		if front == nil {
			return m, nil
		}
		if err := m.startFront(front); err != nil {
			return nil, err
		}
		return m, nil
	case err := <-m.done:
		m.stopFront()
		cancel()
		return nil, fmt.Errorf("start mongo: %w", err)
	case <-time.After(10 * time.Second):
		m.stopFront()
		cancel()
		return nil, errors.New("start mongo: not listening after 10s")
	}
}

// startFront forwards the front listener to FerretDB's private address
// (taken from its URI) and makes the URI name the front's address.
func (m *Mongo) startFront(front *switchListener) error {
	u, err := url.Parse(m.uri)
	if err != nil {
		m.stopFront()
		m.cancel()
		return fmt.Errorf("start mongo: uri %q: %w", m.uri, err)
	}
	go proxy(front, u.Host)
	u.Host = front.addr
	m.uri = u.String()
	return nil
}

func (m *Mongo) stopFront() {
	if m.front != nil {
		_ = m.front.Close()
	}
}

// SetReachable cuts every client off FerretDB (false: its port refuses
// connections and open ones are closed) or lets them back in on the same
// port (true). Only with MongoOptions.Switchable.
func (m *Mongo) SetReachable(up bool) error {
	if m.front == nil {
		return errors.New("mongo: not started Switchable")
	}
	if up {
		return m.front.Up()
	}
	return m.front.Down()
}

// IndexIDs gives every collection that exists now the _id expression index
// that makes FerretDB's lookups by _id an index search (see idExpression).
// A background pass does the same every 200 ms for collections created
// later; call IndexIDs after creating collections when the next lookup
// must already be indexed (tests of query plans).
func (m *Mongo) IndexIDs(ctx context.Context) error {
	if m.indexer == nil {
		return nil
	}
	return m.indexer.pass(ctx)
}

// URI is the mongodb:// connection string.
func (m *Mongo) URI() string { return m.uri }

// Close stops FerretDB and waits up to 10 s for it to finish.
func (m *Mongo) Close() error {
	m.stopFront()
	m.cancel()
	select {
	case err := <-m.done:
		return err
	case <-time.After(10 * time.Second):
		return errors.New("mongo: FerretDB did not stop within 10s")
	}
}
