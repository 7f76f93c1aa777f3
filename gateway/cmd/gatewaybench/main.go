// Command gatewaybench measures the gateway's proxy overhead side by side
// with nginx: it starts a small gin upstream (a ~1 KB product JSON, like the
// catalog's product read) on a random loopback port, builds and runs the
// real gateway binary and nginx (one worker, keepalive to the upstream,
// access_log off) in front of it, and drives each with wrk in the same run:
// direct, via nginx, via the gateway. It prints requests/s and p99 of each,
// and the gateway's throughput as a fraction of nginx's.
//
//	go run ./gateway/cmd/gatewaybench                     # built-in upstream, 5s per run
//	go run ./gateway/cmd/gatewaybench -rounds 3 -cpuprofile gw.pprof
//	go run ./gateway/cmd/gatewaybench -upstream http://127.0.0.1:18082 \
//	    -paths /api/v1/products/ID,/api/v1/products?category=audio
//	    # a running catalog (catalogbench -serve) instead of the built-in upstream
//
// It needs wrk and nginx (Debian: apt-get install -y wrk nginx-light); without
// nginx it measures direct and gateway only. It is a program, not a test,
// so `go test` never runs it.
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
		paths       = flag.String("paths", productPath, "comma-separated request paths to measure")
		gatewayBin  = flag.String("gateway", "", "gateway binary (default: go build ./gateway/cmd/gateway)")
		baseline    = flag.String("baseline", "", "another gateway binary (an older build) to measure side by side as \"baseline\"")
		nginxBin    = flag.String("nginx", "nginx", "nginx binary; skipped when not found")
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
		nginxBin: *nginxBin, wrkBin: *wrkBin, gatewayEnv: splitNonEmpty(*gatewayEnv), cpuProfile: *cpuProfile, keep: *keep,
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
	cpuProfile           string
	keep                 bool
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

	builtin, err := startUpstream()
	if err != nil {
		return err
	}
	defer builtin.Close()
	upstream := cfg.upstreamURL
	if upstream == "" {
		upstream = builtin.URL
	}

	direct := target{name: "direct", base: upstream}
	if cfg.upstreamURL == "" {
		direct.pid = os.Getpid() // the built-in upstream runs in this process
	}
	targets := []target{direct}
	if nginx, err := startNginx(ctx, cfg.nginxBin, workDir, upstream); err != nil {
		fmt.Println("nginx skipped:", err)
	} else {
		defer nginx.stop()
		targets = append(targets, target{name: "nginx", base: nginx.base, pid: nginx.cmd.Process.Pid})
	}
	gw, err := startGateway(ctx, cfg.gatewayBin, workDir, upstream, builtin.URL, cfg.gatewayEnv)
	if err != nil {
		return err
	}
	defer gw.stop()
	if cfg.baselineBin != "" {
		old, err := startGateway(ctx, cfg.baselineBin, filepath.Join(workDir, "baseline"), upstream, builtin.URL, cfg.gatewayEnv)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		defer old.stop()
		targets = append(targets, target{name: "baseline", base: old.base, pid: old.cmd.Process.Pid})
	}
	targets = append(targets, target{name: "gateway", base: gw.base, pid: gw.cmd.Process.Pid})

	fmt.Printf("wrk -t%d -c%d -d%s, %d round(s); load average at start: %s\n",
		cfg.threads, cfg.connections, cfg.duration, cfg.rounds, loadAverage())
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
// meanwhile when profile is set.
func measure(ctx context.Context, cfg config, tg target, path string, gw *gatewayProcess, profile string) (wrkResult, error) {
	var profileDone <-chan error
	if profile != "" {
		profileDone = gw.captureCPUProfile(ctx, cfg.duration-time.Second, profile)
	}
	var cpuBefore time.Duration
	if tg.pid != 0 {
		cpuBefore = cpuTime(tg.pid)
	}
	res, err := runWrk(ctx, cfg.wrkBin, cfg.threads, cfg.connections, cfg.duration, tg.base+path)
	if tg.pid != 0 && res.requests > 0 {
		res.cpuPerRequest = (cpuTime(tg.pid) - cpuBefore) / time.Duration(res.requests)
	}
	if profileDone != nil {
		if perr := <-profileDone; perr != nil {
			fmt.Println("cpu profile:", perr)
		} else {
			fmt.Println("gateway cpu profile written to", profile)
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
	fmt.Printf("%-55s %-8s %10s %9s %7s %12s %9s\n", "path", "target", "req/s", "p99", "/nginx", "cpu µs/req", "/nginx")
	for _, path := range paths {
		medians := map[string]wrkResult{}
		for _, tg := range targets {
			medians[tg.name] = median(results[path+"\x00"+tg.name])
		}
		for _, tg := range targets {
			m := medians[tg.name]
			ratio, cpu, cpuRatio := "-", "-", "-"
			n, haveNginx := medians["nginx"]
			if haveNginx && n.requestsPerSec > 0 {
				ratio = fmt.Sprintf("%.2f", m.requestsPerSec/n.requestsPerSec)
			}
			if m.cpuPerRequest > 0 {
				cpu = fmt.Sprintf("%.1f", float64(m.cpuPerRequest.Nanoseconds())/1000)
				if haveNginx && n.cpuPerRequest > 0 {
					cpuRatio = fmt.Sprintf("%.2f", float64(m.cpuPerRequest)/float64(n.cpuPerRequest))
				}
			}
			fmt.Printf("%-55s %-8s %10.0f %9s %7s %12s %9s\n", path, tg.name, m.requestsPerSec,
				m.p99.Round(10*time.Microsecond), ratio, cpu, cpuRatio)
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
