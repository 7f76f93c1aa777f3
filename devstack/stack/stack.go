// Package stack runs Mercato's embedded default: the Kafka-protocol broker
// and FerretDB inside the calling process, and every service as its own OS
// process under a supervisor. The devstack command uses it with the
// well-known ports; end-to-end tests in any module use it with free ports
// and a temporary data folder.
package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/mercato-shop/mercato/devstack/supervisor"
	"github.com/mercato-shop/mercato/testkit/embedded"
	"github.com/mercato-shop/mercato/testkit/mailsink"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// Options configure Start.
type Options struct {
	// DataDir holds kafka/, mongo/, logs/ and (when BinDir is empty) bin/.
	// Required. A later Start on the same folder resumes its data.
	DataDir string
	// BinDir holds prebuilt service binaries (see Build). Empty: Start
	// builds them into DataDir/bin first.
	BinDir string
	// RepoRoot is where to build from; empty: found by walking up from the
	// working directory to go.work. Only used when BinDir is empty.
	RepoRoot string
	// Ports to listen on; the zero value picks free ports for everything.
	Ports Ports
	// LogLevel is passed to every service as LOG_LEVEL (default "info").
	LogLevel string
	// Console, when set, also receives every service's output, each line
	// prefixed with the service name.
	Console io.Writer
	// Logger receives the stack's and supervisor's logs (default
	// slog.Default()).
	Logger *slog.Logger
	// Supervisor tunes restarts and readiness polling; its Logger is set
	// from Logger when nil.
	Supervisor supervisor.Options
	// ReadyTimeout bounds the wait for every service to become ready,
	// within ctx (default 2 minutes).
	ReadyTimeout time.Duration
	// SwitchableStore fronts FerretDB with a listener that Mongo().
	// SetReachable can take down and bring back (fault injection; every
	// byte to the store is copied once more).
	SwitchableStore bool
}

// Stack is a running embedded Mercato.
type Stack struct {
	dataDir  string
	logDir   string
	kafka    *embedded.Kafka
	mongo    *embedded.Mongo
	stripe   *stripeemu.Emulator
	mail     *mailsink.Sink
	mailUI   *mailUI
	sup      *supervisor.Supervisor
	urls     map[string]string
	logFiles []*os.File

	closeOnce sync.Once
	closeErr  error
}

// Start builds the services unless BinDir is given, starts Kafka and
// FerretDB, starts every service, and returns once all are ready. On error
// everything it started is stopped again.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	if opts.DataDir == "" {
		return nil, errors.New("stack: DataDir is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "info"
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 2 * time.Minute
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("stack: data dir: %w", err)
	}
	st := &Stack{dataDir: dataDir, logDir: filepath.Join(dataDir, "logs"), urls: map[string]string{}}
	if err := os.MkdirAll(st.logDir, 0o755); err != nil {
		return nil, fmt.Errorf("stack: %w", err)
	}
	binDir, err := prepareBinaries(ctx, opts, dataDir)
	if err != nil {
		return nil, err
	}
	ports, err := resolveServicePorts(opts.Ports.Services)
	if err != nil {
		return nil, err
	}
	if err := st.startInfrastructure(opts, ports); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.startServices(opts, binDir, ports); err != nil {
		st.Close()
		return nil, err
	}
	readyCtx, cancel := context.WithTimeout(ctx, opts.ReadyTimeout)
	defer cancel()
	if err := st.sup.WaitReady(readyCtx); err != nil {
		err = fmt.Errorf("stack: %w%s", err, st.notReadyLogs())
		st.Close()
		return nil, err
	}
	return st, nil
}

// prepareBinaries returns the folder of the service binaries, building
// them when no BinDir is given.
func prepareBinaries(ctx context.Context, opts Options, dataDir string) (string, error) {
	if opts.BinDir != "" {
		for _, s := range Services {
			if _, err := os.Stat(filepath.Join(opts.BinDir, s.Binary())); err != nil {
				return "", fmt.Errorf("stack: binary of %s: %w", s.Name, err)
			}
		}
		return opts.BinDir, nil
	}
	root := opts.RepoRoot
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("stack: %w", err)
		}
		if root, err = FindRepoRoot(wd); err != nil {
			return "", fmt.Errorf("stack: %w", err)
		}
	}
	binDir := filepath.Join(dataDir, "bin")
	opts.Logger.Info("building services", "into", binDir)
	if err := Build(ctx, root, binDir); err != nil {
		return "", fmt.Errorf("stack: %w", err)
	}
	return binDir, nil
}

// resolveServicePorts gives every service its configured port, or a free
// one for 0.
func resolveServicePorts(configured map[string]int) (map[string]int, error) {
	ports := map[string]int{}
	for _, s := range Services {
		port := configured[s.Name]
		if port == 0 {
			free, err := freePort()
			if err != nil {
				return nil, fmt.Errorf("stack: free port for %s: %w", s.Name, err)
			}
			port = free
		}
		ports[s.Name] = port
	}
	return ports, nil
}

// Free ports are picked below the kernel's ephemeral range (Linux's
// default starts at 32768), where outgoing connections never take them:
// a port the kernel hands out for :0 lies in that range, and between the
// pick and the service's bind any outgoing connection of any process can
// take it (seen in CI: "bind: address already in use" with several
// stacks running at once). A pick is checked by listening on it, and no
// port is handed out twice by one process.
const (
	freePortLow  = 20000
	freePortHigh = 32767
)

var picked = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freePort returns a loopback port that is free now and that this process
// has not handed out before.
func freePort() (int, error) {
	picked.Lock()
	defer picked.Unlock()
	for range 200 {
		port := freePortLow + rand.IntN(freePortHigh-freePortLow+1) //nolint:gosec // not a secret
		if picked.ports[port] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		_ = l.Close()
		picked.ports[port] = true
		return port, nil
	}
	return 0, fmt.Errorf("no free port between %d and %d after 200 tries", freePortLow, freePortHigh)
}

func (st *Stack) startInfrastructure(opts Options, ports map[string]int) error {
	k, err := embedded.StartKafka(embedded.KafkaOptions{Port: opts.Ports.Kafka, DataDir: filepath.Join(st.dataDir, "kafka")})
	if err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	st.kafka = k
	m, err := embedded.StartMongo(embedded.MongoOptions{Port: opts.Ports.Mongo, DataDir: filepath.Join(st.dataDir, "mongo"), Switchable: opts.SwitchableStore})
	if err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	st.mongo = m
	em, err := stripeemu.Start(stripeemu.Options{
		Addr:       net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Ports.Stripe)),
		WebhookURL: "http://127.0.0.1:" + strconv.Itoa(ports[Gateway]) + StripeWebhookPath,
		Logger:     opts.Logger,
	})
	if err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	st.stripe = em
	if err := st.startMail(opts); err != nil {
		return err
	}
	opts.Logger.Info("infrastructure up", "kafka", k.Addr(), "mongo", m.URI(), "stripe", em.URL())
	return nil
}

func (st *Stack) startServices(opts Options, binDir string, ports map[string]int) error {
	for _, s := range Services {
		st.urls[s.Name] = "http://127.0.0.1:" + strconv.Itoa(ports[s.Name])
	}
	endpoints := Endpoints{KafkaAddr: st.KafkaAddr(), MongoURI: st.MongoURI(), URLs: st.urls,
		StripeURL: st.stripe.URL(), StripeSecretKey: st.stripe.SecretKey(), StripeWebhookSecret: st.stripe.WebhookSecret(),
		SMTPAddr: st.mail.Addr()}
	supOpts := opts.Supervisor
	if supOpts.Logger == nil {
		supOpts.Logger = opts.Logger
	}
	st.sup = supervisor.New(supOpts)
	var console io.Writer
	if opts.Console != nil {
		console = &lockedWriter{w: opts.Console}
	}
	for _, s := range Services {
		out, err := st.openLog(s.Name, console)
		if err != nil {
			return err
		}
		env := []string{
			"HTTP_ADDR=127.0.0.1:" + strconv.Itoa(ports[s.Name]),
			"MONGO_URI=" + endpoints.MongoURI,
			"MONGO_SINGLE_WRITER=true",
			"KAFKA_BROKERS=" + endpoints.KafkaAddr,
			// Every service verifies tokens against the users service's keys.
			"AUTH_JWKS_URL=" + endpoints.URLs["users"] + "/.well-known/jwks.json",
			"LOG_LEVEL=" + opts.LogLevel,
		}
		if s.Env != nil {
			env = append(env, s.Env(endpoints)...)
		}
		err = st.sup.Start(supervisor.Spec{
			Name:     s.Name,
			Path:     filepath.Join(binDir, s.Binary()),
			Env:      env,
			Dir:      st.dataDir,
			ReadyURL: st.urls[s.Name] + "/readyz",
			Output:   out,
		})
		if err != nil {
			return fmt.Errorf("stack: %w", err)
		}
	}
	return nil
}

// openLog opens <logs>/<name>.log for appending; with a console, output
// goes to both.
func (st *Stack) openLog(name string, console io.Writer) (io.Writer, error) {
	f, err := os.OpenFile(st.LogPath(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("stack: log of %s: %w", name, err)
	}
	st.logFiles = append(st.logFiles, f)
	if console == nil {
		return f, nil
	}
	return io.MultiWriter(f, &prefixWriter{prefix: name + " | ", w: console}), nil
}

// GatewayURL is the gateway's base URL, as a browser would use it.
func (st *Stack) GatewayURL() string { return st.urls[Gateway] }

// ServiceURL is the base URL of the named service, "" for an unknown name.
func (st *Stack) ServiceURL(name string) string { return st.urls[name] }

// KafkaAddr is the broker's bootstrap address, host:port.
func (st *Stack) KafkaAddr() string { return st.kafka.Addr() }

// MongoURI is FerretDB's mongodb:// connection string.
func (st *Stack) MongoURI() string { return st.mongo.URI() }

// Kafka is the in-process broker, e.g. for injecting faults in tests.
func (st *Stack) Kafka() *embedded.Kafka { return st.kafka }

// Mongo is the in-process FerretDB, e.g. for making it unreachable
// (Options.SwitchableStore).
func (st *Stack) Mongo() *embedded.Mongo { return st.mongo }

// Stripe is the in-process Stripe emulator: count an order's charges
// (Order), inject faults (SetFaults), finish 3-D Secure (Authenticate).
func (st *Stack) Stripe() *stripeemu.Emulator { return st.stripe }

// StripeURL is the Stripe emulator's API base URL.
func (st *Stack) StripeURL() string { return st.stripe.URL() }

// Supervisor runs the service processes (status, restarts, readiness).
func (st *Stack) Supervisor() *supervisor.Supervisor { return st.sup }

// DataDir is the absolute data folder.
func (st *Stack) DataDir() string { return st.dataDir }

// LogDir is the folder of the services' log files.
func (st *Stack) LogDir() string { return st.logDir }

// LogPath is the log file of the named service.
func (st *Stack) LogPath(name string) string { return filepath.Join(st.logDir, name+".log") }

// Close stops every service gracefully, then the Stripe emulator, FerretDB
// and Kafka (which flush their data to DataDir). The error names services
// that had to be killed. Close is idempotent.
func (st *Stack) Close() error {
	st.closeOnce.Do(func() { st.closeErr = st.close() })
	return st.closeErr
}

func (st *Stack) close() error {
	var err error
	if st.sup != nil {
		err = st.sup.Stop()
	}
	if st.stripe != nil {
		err = errors.Join(err, st.stripe.Close())
	}
	if st.mailUI != nil {
		err = errors.Join(err, st.mailUI.close())
	}
	if st.mail != nil {
		err = errors.Join(err, st.mail.Close())
	}
	if st.mongo != nil {
		st.mongo.Close()
	}
	if st.kafka != nil {
		st.kafka.Close()
	}
	for _, f := range st.logFiles {
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		return fmt.Errorf("stack: close: %w", err)
	}
	return nil
}
