// Package observability_test checks Mercato's metrics end to end: a real
// Prometheus (Debian's prometheus package) scrapes a devstack with the
// shipped alert rules while a shopper's journey runs through the gateway,
// and PromQL queries check the RED, saga, Kafka and outbox series, the
// breaker when catalog dies, and that every dashboard query names series
// the services really export. Skipped with -short.
package observability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/stack"
	"github.com/mercato-shop/mercato/devstack/supervisor"
)

// restartDelay keeps a killed service down long enough for the gateway's
// breaker to open and Prometheus to scrape it open.
const restartDelay = 15 * time.Second

// env is a running stack with Prometheus scraping it.
type env struct {
	t    *testing.T
	st   *stack.Stack
	prom *stack.Prometheus
	root string
}

func start(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: runs the whole suite and Prometheus; skipped with -short")
	}
	if _, err := exec.LookPath(stack.PrometheusBinary); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("prometheus not on PATH: .ci/run installs Debian's prometheus package")
		}
		t.Skip("prometheus not on PATH (apt-get install prometheus)")
	}
	root, err := stack.FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	binDir := os.Getenv("MERCATO_TEST_BIN_DIR")
	if binDir == "" {
		binDir = filepath.Join(dir, "bin")
		if err := stack.Build(ctx, root, binDir); err != nil {
			t.Fatal(err)
		}
	}
	logFile, err := os.Create(filepath.Join(dir, "stack.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = logFile.Close() })
	st, err := stack.Start(ctx, stack.Options{
		DataDir: filepath.Join(dir, "data"),
		BinDir:  binDir,
		Logger:  slog.New(slog.NewTextHandler(logFile, nil)),
		Supervisor: supervisor.Options{GracePeriod: 10 * time.Second,
			MinBackoff: restartDelay, MaxBackoff: restartDelay},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	prom, err := stack.StartPrometheus(ctx, stack.PrometheusOptions{
		Dir:            filepath.Join(dir, "prometheus"),
		Targets:        st.ScrapeTargets(),
		RuleFiles:      []string{filepath.Join(root, stack.AlertsFile)},
		ScrapeInterval: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prom.Close() })
	return &env{t: t, st: st, prom: prom, root: root}
}

var httpClient = &http.Client{Timeout: 20 * time.Second}

// query runs an instant PromQL query and returns its samples' values by
// their labels rendered as JSON.
func (e *env) query(q string) (map[string]float64, error) {
	resp, err := httpClient.Get(e.prom.URL() + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", q, body.Error)
	}
	out := map[string]float64{}
	for _, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s: value %v", q, r.Value)
		}
		key, _ := json.Marshal(r.Metric)
		out[string(key)] = v
	}
	return out, nil
}

// eventually polls cond every 250 ms until it holds or limit passes.
func eventually(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last: %s", what, limit, state)
		}
		time.Sleep(250 * time.Millisecond) // poll interval
	}
}

// expect waits until the query returns at least one sample and
// every sample satisfies ok.
func (e *env) expect(t *testing.T, q, what string, ok func(float64) bool) {
	t.Helper()
	eventually(t, 30*time.Second, what+": "+q, func() (bool, string) {
		res, err := e.query(q)
		if err != nil {
			return false, err.Error()
		}
		if len(res) == 0 {
			return false, "no samples"
		}
		for labels, v := range res {
			if !ok(v) {
				return false, fmt.Sprintf("%s = %v", labels, v)
			}
		}
		return true, ""
	})
}

func atLeast(n float64) func(float64) bool { return func(v float64) bool { return v >= n } }

var names atomic.Int64

func unique(prefix string) string {
	return fmt.Sprintf("%s%d%03d", prefix, time.Now().UnixNano()/1000, names.Add(1))
}

// call sends a JSON request to the gateway and decodes a JSON answer.
func (e *env) call(method, path, token string, body, out any, headers ...string) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.st.GatewayURL()+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode %s: %w", method, path, b, err)
		}
	}
	return resp.StatusCode, nil
}

// must calls and fails the test unless the status is want.
func (e *env) must(want int, out any, method, path, token string, body any, headers ...string) {
	e.t.Helper()
	status, err := e.call(method, path, token, body, out, headers...)
	if err != nil || status != want {
		e.t.Fatalf("%s %s: %d %v, want %d", method, path, status, err, want)
	}
}
