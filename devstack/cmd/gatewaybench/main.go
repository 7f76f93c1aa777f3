// Command gatewaybench measures the gateway's proxy overhead side by side
// with the proxies people would put in front instead: it starts a small gin
// upstream (a ~1 KB product JSON, like the catalog's product read) on a
// random loopback port, builds and runs the real gateway binary, nginx (one
// worker, keepalive to the upstream, access_log off) and Caddy
// (reverse_proxy, no access log) in front of it, and drives each with wrk
// in the same run: direct, via nginx, via Caddy, via the gateway. Every
// proxy runs pinned to the same CPUs (-pin-proxy, default CPU 1), wrk and
// the upstream to the others (-pin-load, default CPU 0), so each proxy gets
// one core. It prints requests/s, p50, p99 and CPU per request of each, and
// the ratios to nginx and Caddy.
//
//	go run ./devstack/cmd/gatewaybench                     # built-in upstream, 5s per run:
//	    # a public product read, and a signed-in read (a valid token on
//	    # every request, which the gateway verifies)
//	go run ./devstack/cmd/gatewaybench -rounds 3 -cpuprofile gw.pprof
//	go run ./devstack/cmd/gatewaybench -upstream http://127.0.0.1:18082 \
//	    -paths /api/v1/products/ID,/api/v1/products?category=audio
//	    # a running catalog (catalogbench -serve) instead of the built-in upstream
//
//	go run ./devstack/cmd/gatewaybench -baseline ./gateway-old -rounds 3
//	    # an older gateway build side by side, for before/after figures
//
// The gateway gets an in-process Kafka broker (its event ingestion needs
// one; it stays idle) and budgets wrk cannot exhaust, so its rate limiter
// is measured at work. It needs wrk, nginx and caddy (Debian: apt-get
// install -y wrk nginx-light caddy) and taskset; a proxy that is not
// installed is skipped. It is a program, not a test, so `go test` never
// runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mercato-shop/mercato/testkit/embedded"
)

// target is one way to reach the upstream.
type target struct {
	name string
	base string
	// pid is the process that serves it, whose CPU time is measured.
	pid int
}

func main() {
	var (
		duration    = flag.Duration("d", 5*time.Second, "wrk duration of each run")
		connections = flag.Int("c", 64, "wrk connections")
		threads     = flag.Int("t", 2, "wrk threads")
		rounds      = flag.Int("rounds", 1, "rounds of direct, nginx, gateway runs; the summary takes the median")
		upstreamURL = flag.String("upstream", "", "base URL of a running upstream for the catalog routes (default: the built-in one)")
		paths       = flag.String("paths", productPath+","+mePath, "comma-separated request paths to measure ("+mePath+" is sent with a valid access token)")
		gatewayBin  = flag.String("gateway", "", "gateway binary (default: go build ./gateway/cmd/gateway)")
		baseline    = flag.String("baseline", "", "another gateway binary (an older build) to measure side by side as \"baseline\"")
		nginxBin    = flag.String("nginx", "nginx", "nginx binary; skipped when not found")
		caddyBin    = flag.String("caddy", "caddy", "caddy binary; skipped when not found")
		pinProxy    = flag.String("pin-proxy", "1", "taskset CPU list of every proxy under test (empty: no pinning)")
		pinLoad     = flag.String("pin-load", "0", "taskset CPU list of wrk and the built-in upstream (empty: no pinning)")
		wrkBin      = flag.String("wrk", "wrk", "wrk binary")
		cpuProfile  = flag.String("cpuprofile", "", "write the gateway's CPU profile of its first run of each path to this file (path index appended for several paths)")
		gatewayEnv  = flag.String("gateway-env", "", "comma-separated NAME=value settings for the gateway processes only (such as GOMAXPROCS=1,LOG_LEVEL=warn)")
		keep        = flag.Bool("keep", false, "keep the work directory (gateway log, nginx config)")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, config{
		duration: *duration, connections: *connections, threads: *threads, rounds: *rounds,
		upstreamURL: *upstreamURL, paths: strings.Split(*paths, ","), gatewayBin: *gatewayBin, baselineBin: *baseline,
		nginxBin: *nginxBin, caddyBin: *caddyBin, wrkBin: *wrkBin, gatewayEnv: splitNonEmpty(*gatewayEnv), cpuProfile: *cpuProfile, keep: *keep,
		pinProxy: *pinProxy, pinLoad: *pinLoad,
	}); err != nil {
		log.Fatal(err)
	}
}

type config struct {
	duration             time.Duration
	connections, threads int
	rounds               int
	upstreamURL          string
	paths                []string
	gatewayBin           string
	baselineBin          string
	gatewayEnv           []string
	nginxBin, wrkBin     string
	caddyBin             string
	pinProxy, pinLoad    string
	// token is the access token sent on mePath.
	token      string
	cpuProfile string
	keep       bool
}

func run(ctx context.Context, cfg config) error {
	workDir, err := os.MkdirTemp("", "gatewaybench-")
	if err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	if cfg.keep {
		fmt.Println("work directory:", workDir)
	} else {
		defer os.RemoveAll(workDir)
	}

	if err := pinSelf(cfg.pinLoad); err != nil {
		return err
	}
	jwks, token, err := benchToken()
	if err != nil {
		return err
	}
	cfg.token = token
	builtin, err := startUpstream(jwks)
	if err != nil {
		return err
	}
	defer builtin.Close()
	// The gateway needs a broker for its event ingestion; it stays idle.
	broker, err := embedded.StartKafka(embedded.KafkaOptions{})
	if err != nil {
		return err
	}
	defer broker.Close()
	cfg.gatewayEnv = append(cfg.gatewayEnv, "KAFKA_BROKERS="+broker.Addr())
	upstream := cfg.upstreamURL
	if upstream == "" {
		upstream = builtin.URL
	}

	direct := target{name: "direct", base: upstream}
	if cfg.upstreamURL == "" {
		direct.pid = os.Getpid() // the built-in upstream runs in this process
	}
	targets := []target{direct}
	if nginx, err := startNginx(ctx, cfg.nginxBin, workDir, upstream, cfg.pinProxy); err != nil {
		fmt.Println("nginx skipped:", err)
	} else {
		defer nginx.stop()
		targets = append(targets, target{name: "nginx", base: nginx.base, pid: nginx.cmd.Process.Pid})
	}
	if caddy, err := startCaddy(ctx, cfg.caddyBin, workDir, upstream, cfg.pinProxy); err != nil {
		fmt.Println("caddy skipped:", err)
	} else {
		defer caddy.stop()
		targets = append(targets, target{name: "caddy", base: caddy.base, pid: caddy.cmd.Process.Pid})
	}
	gw, err := startGateway(ctx, cfg.gatewayBin, workDir, upstream, builtin.URL, cfg.pinProxy, cfg.gatewayEnv)
	if err != nil {
		return err
	}
	defer gw.stop()
	if cfg.baselineBin != "" {
		old, err := startGateway(ctx, cfg.baselineBin, filepath.Join(workDir, "baseline"), upstream, builtin.URL, cfg.pinProxy, cfg.gatewayEnv)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		defer old.stop()
		targets = append(targets, target{name: "baseline", base: old.base, pid: old.cmd.Process.Pid})
	}
	targets = append(targets, target{name: "gateway", base: gw.base, pid: gw.cmd.Process.Pid})

	fmt.Printf("wrk -t%d -c%d -d%s, %d round(s); proxies on CPU %q, wrk and upstream on CPU %q; load average at start: %s\n",
		cfg.threads, cfg.connections, cfg.duration, cfg.rounds, cfg.pinProxy, cfg.pinLoad, loadAverage())
	results := map[string][]wrkResult{} // by path and target name
	for round := 1; round <= cfg.rounds; round++ {
		for i, path := range cfg.paths {
			for _, tg := range targets {
				profile := ""
				if tg.name == "gateway" && round == 1 && cfg.cpuProfile != "" {
					profile = profileName(cfg.cpuProfile, i, len(cfg.paths))
				}
				res, err := measure(ctx, cfg, tg, path, gw, profile)
				if err != nil {
					return err
				}
				fmt.Printf("round %d  %-8s %-55s %s  (load %s)\n", round, tg.name, path, res, loadAverage())
				results[path+"\x00"+tg.name] = append(results[path+"\x00"+tg.name], res)
			}
		}
	}
	printSummary(cfg.paths, targets, results)
	fmt.Printf("load average at end: %s; gateway access log: %s\n", loadAverage(), gw.logSummary())
	return nil
}

// measure runs wrk against one target, capturing the gateway's CPU profile
// meanwhile, and its allocation profile after, when profile is set.
func measure(ctx context.Context, cfg config, tg target, path string, gw *gatewayProcess, profile string) (wrkResult, error) {
	var profileDone <-chan error
	if profile != "" {
		profileDone = gw.captureCPUProfile(ctx, cfg.duration-time.Second, profile)
	}
	var cpuBefore time.Duration
	if tg.pid != 0 {
		cpuBefore = cpuTime(tg.pid)
	}
	var header []string
	if path == mePath {
		header = []string{"Authorization: Bearer " + cfg.token}
	}
	res, err := runWrk(ctx, cfg.wrkBin, cfg.pinLoad, cfg.threads, cfg.connections, cfg.duration, tg.base+path, header)
	if tg.pid != 0 && res.requests > 0 {
		res.cpuPerRequest = (cpuTime(tg.pid) - cpuBefore) / time.Duration(res.requests)
	}
	if profileDone != nil {
		if perr := <-profileDone; perr != nil {
			fmt.Println("cpu profile:", perr)
		} else {
			fmt.Println("gateway cpu profile written to", profile)
		}
		// The allocations since start, nearly all of them this run's.
		if aerr := gw.fetchProfile(ctx, "allocs", profile+".allocs"); aerr != nil {
			fmt.Println("allocs profile:", aerr)
		}
	}
	return res, err
}

func profileName(base string, i, n int) string {
	if n == 1 {
		return base
	}
	return fmt.Sprintf("%s.%d", base, i)
}

func printSummary(paths []string, targets []target, results map[string][]wrkResult) {
	fmt.Println("\nsummary (median of rounds):")
	fmt.Printf("%-45s %-8s %9s %9s %9s %7s %7s %11s %7s\n", "path", "target", "req/s", "p50", "p99", "/nginx", "/caddy", "cpu µs/req", "/nginx")
	for _, path := range paths {
		medians := map[string]wrkResult{}
		for _, tg := range targets {
			medians[tg.name] = median(results[path+"\x00"+tg.name])
		}
		n, haveNginx := medians["nginx"]
		cd, haveCaddy := medians["caddy"]
		for _, tg := range targets {
			m := medians[tg.name]
			toNginx, toCaddy, cpu, cpuRatio := "-", "-", "-", "-"
			if haveNginx && n.requestsPerSec > 0 {
				toNginx = fmt.Sprintf("%.2f", m.requestsPerSec/n.requestsPerSec)
			}
			if haveCaddy && cd.requestsPerSec > 0 {
				toCaddy = fmt.Sprintf("%.2f", m.requestsPerSec/cd.requestsPerSec)
			}
			if m.cpuPerRequest > 0 {
				cpu = fmt.Sprintf("%.1f", float64(m.cpuPerRequest.Nanoseconds())/1000)
				if haveNginx && n.cpuPerRequest > 0 {
					cpuRatio = fmt.Sprintf("%.2f", float64(m.cpuPerRequest)/float64(n.cpuPerRequest))
				}
			}
			fmt.Printf("%-45s %-8s %9.0f %9s %9s %7s %7s %11s %7s\n", path, tg.name, m.requestsPerSec,
				m.p50.Round(10*time.Microsecond), m.p99.Round(10*time.Microsecond), toNginx, toCaddy, cpu, cpuRatio)
		}
	}
}

// median picks the run with the median requests/s.
func median(runs []wrkResult) wrkResult {
	if len(runs) == 0 {
		return wrkResult{}
	}
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b wrkResult) int {
		switch {
		case a.requestsPerSec < b.requestsPerSec:
			return -1
		case a.requestsPerSec > b.requestsPerSec:
			return 1
		}
		return 0
	})
	return sorted[len(sorted)/2]
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	fields := strings.Fields(string(raw))
	if len(fields) < 3 {
		return "unknown"
	}
	return strings.Join(fields[:3], " ")
}

func splitNonEmpty(list string) []string {
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}
