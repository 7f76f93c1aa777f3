package main

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// wrkResult is what one wrk run measured.
type wrkResult struct {
	requestsPerSec float64
	requests       int
	// cpuPerRequest is the CPU time the process under test (the proxy, or
	// the bench process itself with the upstream for direct) spent per
	// request; unlike requests/s it barely depends on the machine's load.
	cpuPerRequest time.Duration
	p50, p99      time.Duration
	// failures counts non-2xx/3xx responses and socket errors.
	failures int
}

func (r wrkResult) String() string {
	s := fmt.Sprintf("%9.0f req/s  p50 %8s  p99 %8s  cpu %6.1fµs/req", r.requestsPerSec,
		r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond),
		float64(r.cpuPerRequest.Nanoseconds())/1000)
	if r.failures > 0 {
		s += fmt.Sprintf("  FAILURES %d", r.failures)
	}
	return s
}

// runWrk drives url for duration and parses wrk's --latency report.
func runWrk(ctx context.Context, bin, pin string, threads, connections int, duration time.Duration, url string, header []string) (wrkResult, error) {
	args := []string{"--latency",
		"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(connections),
		"-d" + strconv.Itoa(int(duration.Seconds())) + "s"}
	for _, h := range header {
		args = append(args, "-H", h)
	}
	args = append(args, url)
	if pin != "" {
		args = append([]string{"-c", pin, bin}, args...)
		bin = "taskset"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w: %s", url, err, out)
	}
	res, err := parseWrk(string(out))
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w: %s", url, err, out)
	}
	return res, nil
}

func parseWrk(out string) (wrkResult, error) {
	var res wrkResult
	var err error
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 2 && fields[0] == "Requests/sec:":
			res.requestsPerSec, err = strconv.ParseFloat(fields[1], 64)
		case len(fields) >= 3 && fields[1] == "requests" && fields[2] == "in":
			res.requests, err = strconv.Atoi(fields[0])
		case len(fields) == 2 && fields[0] == "50%":
			res.p50, err = parseWrkDuration(fields[1])
		case len(fields) == 2 && fields[0] == "99%":
			res.p99, err = parseWrkDuration(fields[1])
		case len(fields) >= 5 && fields[0] == "Non-2xx":
			res.failures += atoiOrZero(fields[len(fields)-1])
		case len(fields) >= 2 && fields[0] == "Socket" && fields[1] == "errors:":
			for _, f := range fields[2:] {
				res.failures += atoiOrZero(strings.TrimSuffix(f, ","))
			}
		}
		if err != nil {
			return res, fmt.Errorf("parse %q: %w", sc.Text(), err)
		}
	}
	if res.requestsPerSec == 0 {
		return res, fmt.Errorf("no Requests/sec in the output")
	}
	return res, nil
}

// parseWrkDuration reads wrk's latencies: 512.00us, 1.23ms, 1.01s, 2.00m.
func parseWrkDuration(s string) (time.Duration, error) {
	for _, unit := range []struct {
		suffix string
		scale  time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"m", time.Minute}, {"s", time.Second}} {
		if number, ok := strings.CutSuffix(s, unit.suffix); ok {
			v, err := strconv.ParseFloat(number, 64)
			if err != nil {
				return 0, fmt.Errorf("latency %q: %w", s, err)
			}
			return time.Duration(v * float64(unit.scale)), nil
		}
	}
	return 0, fmt.Errorf("latency %q: unknown unit", s)
}

func atoiOrZero(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
