package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/mercato-shop/mercato/devstack/admin"
	"github.com/mercato-shop/mercato/devstack/stack"
	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// upConfig is what the flags of `up` configure.
type upConfig struct {
	stack     stack.Options
	adminPort int
}

func parseUpFlags(args []string) (upConfig, error) {
	fs := flag.NewFlagSet("devstack up", flag.ContinueOnError)
	dataDir := dataDirFlag(fs)
	defaults := stack.DefaultPorts()
	adminPort, err := portFlag(fs, "admin", "admin endpoint", DefaultAdminPort)
	if err != nil {
		return upConfig{}, err
	}
	kafkaPort, err := portFlag(fs, "kafka", "Kafka broker", defaults.Kafka)
	if err != nil {
		return upConfig{}, err
	}
	mongoPort, err := portFlag(fs, "mongo", "FerretDB (MongoDB protocol)", defaults.Mongo)
	if err != nil {
		return upConfig{}, err
	}
	stripePort, err := portFlag(fs, "stripe", "Stripe emulator", defaults.Stripe)
	if err != nil {
		return upConfig{}, err
	}
	smtpPort, err := portFlag(fs, "smtp", "mail sink (SMTP)", defaults.SMTP)
	if err != nil {
		return upConfig{}, err
	}
	mailUIPort, err := portFlag(fs, "mail-ui", "mail sink's web page", defaults.MailUI)
	if err != nil {
		return upConfig{}, err
	}
	servicePorts := map[string]*int{}
	for _, s := range stack.Services {
		if servicePorts[s.Name], err = portFlag(fs, s.Name, s.Name+" service", s.Port); err != nil {
			return upConfig{}, err
		}
	}
	binDir := fs.String("bin", envString("DEVSTACK_BIN_DIR", ""), "prebuilt service binaries (e.g. from `make build`); empty builds them into <data>/bin (env DEVSTACK_BIN_DIR)")
	logLevel := fs.String("log-level", envString("DEVSTACK_LOG_LEVEL", "info"), "LOG_LEVEL of every service (env DEVSTACK_LOG_LEVEL)")
	verbose := fs.Bool("v", envString("DEVSTACK_VERBOSE", "") == "1", "also print every service's log to the console (env DEVSTACK_VERBOSE=1)")
	if err := fs.Parse(args); err != nil {
		return upConfig{}, err
	}
	if fs.NArg() > 0 {
		return upConfig{}, fmt.Errorf("devstack up: unexpected arguments %v", fs.Args())
	}
	cfg := upConfig{adminPort: *adminPort, stack: stack.Options{
		DataDir:  *dataDir,
		BinDir:   *binDir,
		LogLevel: *logLevel,
		Ports: stack.Ports{Kafka: *kafkaPort, Mongo: *mongoPort, Stripe: *stripePort,
			SMTP: *smtpPort, MailUI: *mailUIPort, Services: map[string]int{}},
	}}
	for name, p := range servicePorts {
		cfg.stack.Ports.Services[name] = *p
	}
	if *verbose {
		cfg.stack.Console = os.Stdout
	}
	return cfg, nil
}

// up starts the stack, serves the admin endpoint, prints the banner and
// runs until SIGINT or SIGTERM, then stops everything gracefully.
func up(args []string, hooks Hooks, logger *slog.Logger) error {
	cfg, err := parseUpFlags(args)
	if err != nil {
		return err
	}
	cfg.stack.Logger = logger
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	// Bind the admin port first: a taken port fails before the long start.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.adminPort)))
	if err != nil {
		return fmt.Errorf("admin endpoint: %w", err)
	}
	begin := time.Now()
	st, err := stack.Start(ctx, cfg.stack)
	if err != nil {
		ln.Close()
		return err
	}
	adminMux := http.NewServeMux()
	adminMux.Handle("/", admin.Handler(st.Supervisor()))
	adminMux.Handle("/mail/", http.StripPrefix("/mail", st.Mail().Handler()))
	adminMux.Handle(admin.TargetsPath, admin.TargetsHandler(st.ScrapeTargets()))
	adminSrv := &http.Server{Handler: adminMux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := adminSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("admin endpoint", "err", err)
		}
	}()
	adminAddr := ln.Addr().String()
	if err := os.WriteFile(adminAddrFile(st.DataDir()), []byte(adminAddr+"\n"), 0o644); err != nil {
		logger.Warn("cannot record the admin address", "err", err)
	}
	defer os.Remove(adminAddrFile(st.DataDir()))

	promLines, stopPrometheus := startPrometheus(ctx, st, logger)
	defer stopPrometheus()
	var extra []string
	if hooks.AfterReady != nil {
		if extra, err = hooks.AfterReady(ctx, st); err != nil {
			logger.Error("after-ready hook failed", "err", err)
		}
	}
	extra = append(extra, promLines...)
	printBanner(os.Stdout, bannerFor(st, adminAddr, time.Since(begin), extra))

	<-ctx.Done()
	stopSignals() // a second Ctrl-C now kills devstack at once
	logger.Info("stopping: services first, then Kafka and FerretDB")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = adminSrv.Shutdown(shutdownCtx)
	if err := st.Close(); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// banner is what the start-up banner shows.
type banner struct {
	readyIn    time.Duration
	gatewayURL string
	services   [][2]string // name, URL
	kafkaAddr  string
	mongoURI   string
	stripeURL  string
	logDir     string
	adminAddr  string
	mailURL    string
	smtpAddr   string
	extra      []string
}

func bannerFor(st *stack.Stack, adminAddr string, readyIn time.Duration, extra []string) banner {
	b := banner{
		readyIn:   readyIn,
		kafkaAddr: st.KafkaAddr(),
		mongoURI:  st.MongoURI(),
		stripeURL: st.StripeURL(),
		logDir:    st.LogDir(),
		adminAddr: adminAddr,
		mailURL:   st.MailURL(),
		smtpAddr:  st.Mail().Addr(),
		extra:     extra,
	}
	_, gatewayPort, _ := net.SplitHostPort(st.GatewayURL()[len("http://"):])
	b.gatewayURL = "http://localhost:" + gatewayPort
	for _, s := range stack.Services {
		b.services = append(b.services, [2]string{s.Name, st.ServiceURL(s.Name)})
	}
	return b
}

func printBanner(w io.Writer, b banner) {
	fmt.Fprintf(w, "\nMercato is ready (took %s)\n\n", b.readyIn.Round(10*time.Millisecond))
	fmt.Fprintf(w, "  Storefront / API   %s\n", b.gatewayURL)
	for _, s := range b.services {
		fmt.Fprintf(w, "  %-18s %s\n", s[0], s[1])
	}
	fmt.Fprintf(w, "  %-18s %s   (try: kcat -b %s -L)\n", "Kafka", b.kafkaAddr, b.kafkaAddr)
	fmt.Fprintf(w, "  %-18s %s\n", "MongoDB", b.mongoURI)
	fmt.Fprintf(w, "  %-18s %s   (test key %s; switches under /_emulator/)\n", "Stripe emulator", b.stripeURL, stripeemu.DefaultSecretKey)
	fmt.Fprintf(w, "  %-18s %s\n", "Logs", b.logDir)
	fmt.Fprintf(w, "  %-18s http://%s/services\n", "Admin", b.adminAddr)
	fmt.Fprintf(w, "  %-18s %s   (also http://%s/mail/; SMTP %s)\n", "Mail sent", b.mailURL, b.adminAddr, b.smtpAddr)
	for _, line := range b.extra {
		fmt.Fprintf(w, "  %s\n", line)
	}
	fmt.Fprintf(w, "\n  Restart a service: go run ./devstack/cmd/devstack restart <service>\n")
	fmt.Fprintf(w, "  Status:            go run ./devstack/cmd/devstack status\n")
	fmt.Fprintf(w, "  Stop:              Ctrl-C\n\n")
}
