package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/mercato-shop/mercato/gateway/internal/authn"
	"github.com/mercato-shop/mercato/gateway/internal/logbuf"
	"github.com/mercato-shop/mercato/gateway/internal/proxy"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/logging"
	"github.com/mercato-shop/mercato/platform/tracing"
	"github.com/mercato-shop/mercato/testkit/authtest"
)

// BenchmarkProxiedRead drives a public catalog read through the gateway as
// main wires it (JSON access log to a file, tracing without an exporter)
// over loopback; run with -cpuprofile to see where a request's CPU goes.
// BENCH_BEFORE=1 measures without the buffered log and the light tracer.
func BenchmarkProxiedRead(b *testing.B) {
	var cfg Config
	if err := config.Load(&cfg); err != nil {
		b.Fatal(err)
	}
	shutdown, err := tracing.Init(context.Background(), "gateway-bench", "dev")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = shutdown(context.Background()) }()
	if os.Getenv("BENCH_BEFORE") == "" { // as main runs it
		lightTracing()
	}
	up := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"p1","name":"Wireless Headphones 1000","price":{"amount":24999,"currency":"EUR"}}`)
	})}
	logFile, err := os.Create(filepath.Join(b.TempDir(), "gateway.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logFile.Close()
	var logOut io.Writer = logFile
	if os.Getenv("BENCH_BEFORE") == "" {
		buffered := logbuf.New(logFile, 0, 0)
		buffered.Start()
		defer buffered.Close()
		logOut = buffered
	}
	logger := logging.New("gateway", "info", logOut)
	ln, upstreamURL := listenLoopback(b)
	go func() { _ = up.Serve(ln) }()
	defer up.Close()

	srv := httpserver.New(httpserver.Options{Service: "gateway", Addr: "127.0.0.1:0", Logger: logger})
	parts, err := buildEdge(cfg.Edge, srv.Registry())
	if err != nil {
		b.Fatal(err)
	}
	if err := parts.install(srv.Router(), srv.ConfigureHTTP, cfg.Edge); err != nil {
		b.Fatal(err)
	}
	gw, err := proxy.New(proxy.Options{
		Upstreams: everyUpstream(upstreamURL),
		Logger:    logger, Registerer: srv.Registry(), TrustedPeer: parts.trusted.Peer,
	})
	if err != nil {
		b.Fatal(err)
	}
	iss := authtest.New(b)
	gw.Register(srv.Router().Group("", authn.Middleware(iss.Verifier(b)), parts.limiter.ByUser()))
	addr, err := srv.Listen()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	url := "http://" + addr.String() + "/api/v1/products/p1"
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

func listenLoopback(b *testing.B) (net.Listener, string) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String()
}
