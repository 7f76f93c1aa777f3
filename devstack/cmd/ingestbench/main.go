// Command ingestbench measures the analytics ingestion of issue 15 in one
// run: behaviour events posted through the gateway (POST /api/v1/events,
// batches of -batch events) by -c workers for -d, first through one
// gateway, then through two (a second gateway process on the same stack,
// requests alternating). For each phase it reports the events/s accepted
// (202) and the lag from receipt to the dashboard's figures:
//
//   - stored: analytics_ingest_lag_seconds, the analytics service's
//     histogram from the gateway's receive stamp to the figures' write
//     (p50/p99 from the bucket counts of the phase);
//   - seen: a probe posts one view every 200 ms for a merchant of its own
//     and polls that merchant's dashboard until the view counts (p50/p99).
//
// It starts its own embedded stack on free ports in a temporary folder.
//
//	go run ./devstack/cmd/ingestbench -d 15s -c 32
//
// It is a program, not a test, so `go test` never runs it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mercato-shop/mercato/devstack/stack"
	"github.com/mercato-shop/mercato/devstack/supervisor"
)

func main() {
	duration := flag.Duration("d", 15*time.Second, "duration of each phase")
	workers := flag.Int("c", 32, "concurrent posting workers")
	batch := flag.Int("batch", 50, "events per request")
	flag.Parse()
	if err := run(*duration, *workers, *batch); err != nil {
		log.Fatal(err)
	}
}

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

func run(duration time.Duration, workers, batch int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "mercato-ingestbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	fmt.Println("building and starting the stack…")
	st, err := stack.Start(ctx, stack.Options{DataDir: filepath.Join(dir, "data"), Logger: logger})
	if err != nil {
		return err
	}
	defer st.Close()
	second, err := startSecondGateway(ctx, st, dir)
	if err != nil {
		return err
	}
	probe, err := newProbe(st.GatewayURL())
	if err != nil {
		return err
	}
	gateways := [][]string{{st.GatewayURL()}, {st.GatewayURL(), second}}
	fmt.Printf("\n%-10s %12s %10s %14s %14s %12s %12s %12s %12s\n", "gateways", "events/s", "refused", "stored p50", "stored p99", "seen p50", "seen p99", "apply p50", "batch p50")
	for _, gws := range gateways {
		before, err := lagHistogram(st.ServiceURL("analytics"))
		if err != nil {
			return err
		}
		applyBefore, _ := scrape(st.ServiceURL("analytics"), "analytics_ingest_apply_seconds")
		batchBefore, _ := scrape(st.ServiceURL("analytics"), "analytics_ingest_batch_messages")
		stopProbe := probe.start()
		accepted, refused := load(gws, duration, workers, batch)
		seen := stopProbe()
		// Let the figures catch up before reading the histogram.
		time.Sleep(2 * time.Second) // settling time of the measurement
		after, err := lagHistogram(st.ServiceURL("analytics"))
		if err != nil {
			return err
		}
		delta := after.minus(before)
		applyAfter, _ := scrape(st.ServiceURL("analytics"), "analytics_ingest_apply_seconds")
		batchAfter, _ := scrape(st.ServiceURL("analytics"), "analytics_ingest_batch_messages")
		fmt.Printf("%-10d %12.0f %10d %13.0fms %13.0fms %11.0fms %11.0fms %11.0fms %12.0f\n", len(gws),
			float64(accepted)/duration.Seconds(), refused, 1000*delta.quantile(0.5), 1000*delta.quantile(0.99),
			ms(percentile(seen, 0.5)), ms(percentile(seen, 0.99)),
			1000*applyAfter.minus(applyBefore).quantile(0.5), batchAfter.minus(batchBefore).quantile(0.5))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// startSecondGateway runs another gateway process on the stack with the
// same environment as the first and returns its URL.
func startSecondGateway(ctx context.Context, st *stack.Stack, dir string) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	urls := map[string]string{}
	var gw stack.Service
	for _, s := range stack.Services {
		urls[s.Name] = st.ServiceURL(s.Name)
		if s.Name == stack.Gateway {
			gw = s
		}
	}
	env := []string{
		"HTTP_ADDR=127.0.0.1:" + strconv.Itoa(port),
		"KAFKA_BROKERS=" + st.KafkaAddr(),
		"AUTH_JWKS_URL=" + urls["users"] + "/.well-known/jwks.json",
		"LOG_LEVEL=warn",
	}
	env = append(env, gw.Env(stack.Endpoints{KafkaAddr: st.KafkaAddr(), MongoURI: st.MongoURI(), URLs: urls})...)
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	bin := filepath.Join(dir, "data", "bin", gw.Binary())
	if err := st.Supervisor().Start(supervisor.Spec{Name: "gateway-2", Path: bin, Env: env, ReadyURL: url + "/readyz"}); err != nil {
		return "", err
	}
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return url, st.Supervisor().WaitReady(waitCtx, "gateway-2")
}

// load posts batches from workers to gateways (alternating) for duration.
func load(gateways []string, duration time.Duration, workers, batch int) (accepted, refused int64) {
	var ok, bad atomic.Int64
	var seq atomic.Int64
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				n := seq.Add(1)
				body := batchBody(n, batch)
				resp, err := client.Post(gateways[(w+i)%len(gateways)]+"/api/v1/events", "application/json", bytes.NewReader(body))
				if err != nil {
					bad.Add(int64(batch))
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusAccepted {
					ok.Add(int64(batch))
				} else {
					bad.Add(int64(batch))
				}
			}
		})
	}
	wg.Wait()
	return ok.Load(), bad.Load()
}

// batchBody is request n: views of 10 merchants' products, its own session.
func batchBody(n int64, batch int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"session_id":"bench-session-%d","events":[`, n)
	for i := range batch {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"product_viewed","merchant_id":"bench-m%d","product_id":"p%d"}`, (int(n)+i)%10, i)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// probe measures receipt-to-dashboard for one merchant of its own.
type probe struct {
	base, token, merchant string
}

func newProbe(base string) (*probe, error) {
	email := fmt.Sprintf("probe-%d@bench.example", time.Now().UnixNano())
	body, _ := json.Marshal(map[string]string{"email": email, "password": "correct-horse-1", "name": "Probe", "role": "merchant", "store_name": "Probe"})
	resp, err := client.Post(base+"/api/v1/auth/register", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		User        struct {
			MerchantID string `json:"merchant_id"`
		} `json:"user"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.User.MerchantID == "" {
		return nil, fmt.Errorf("register the probe merchant: status %d: %w", resp.StatusCode, err)
	}
	return &probe{base: base, token: out.AccessToken, merchant: out.User.MerchantID}, nil
}

func (p *probe) views() (int64, error) {
	req, _ := http.NewRequest(http.MethodGet, p.base+"/api/v1/merchant/analytics/dashboard", nil)
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var d struct {
		Today struct{ Views int64 } `json:"today"`
	}
	err = json.NewDecoder(resp.Body).Decode(&d)
	return d.Today.Views, err
}

// start sends a view every 200 ms and times each until the dashboard
// counts it; the returned function stops and returns the samples.
func (p *probe) start() func() []time.Duration {
	stop := make(chan struct{})
	done := make(chan []time.Duration)
	go func() {
		var samples []time.Duration
		seen, _ := p.views()
		for n := 0; ; n++ {
			select {
			case <-stop:
				done <- samples
				return
			case <-time.After(200 * time.Millisecond): // probe interval
			}
			body := fmt.Sprintf(`{"session_id":"probe-session-%d","events":[{"type":"product_viewed","merchant_id":%q,"product_id":"probe"}]}`, n, p.merchant)
			sent := time.Now()
			resp, err := client.Post(p.base+"/api/v1/events", "application/json", strings.NewReader(body))
			if err != nil {
				continue
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				continue
			}
			for time.Since(sent) < 30*time.Second {
				v, err := p.views()
				if err == nil && v > seen {
					seen = v
					samples = append(samples, time.Since(sent))
					break
				}
				time.Sleep(10 * time.Millisecond) // poll interval
			}
		}
	}()
	return func() []time.Duration { close(stop); return <-done }
}

func percentile(samples []time.Duration, q float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	return s[min(len(s)-1, int(math.Ceil(q*float64(len(s))))-1)]
}

// histogram is a Prometheus histogram's cumulative bucket counts.
type histogram struct {
	bounds []float64
	counts []float64
}

// lagHistogram scrapes analytics_ingest_lag_seconds from base/metrics.
func lagHistogram(base string) (histogram, error) {
	return scrape(base, "analytics_ingest_lag_seconds")
}

// scrape reads the buckets of histogram name from base/metrics.
func scrape(base, name string) (histogram, error) {
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		return histogram{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return histogram{}, err
	}
	var h histogram
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, name+"_bucket{") {
			continue
		}
		le := line[strings.Index(line, `le="`)+4:]
		le = le[:strings.Index(le, `"`)]
		bound, err := strconv.ParseFloat(le, 64)
		if le == "+Inf" {
			bound, err = math.Inf(1), nil
		}
		if err != nil {
			continue
		}
		count, err := strconv.ParseFloat(strings.TrimSpace(line[strings.LastIndex(line, " "):]), 64)
		if err != nil {
			continue
		}
		h.bounds = append(h.bounds, bound)
		h.counts = append(h.counts, count)
	}
	return h, nil
}

func (h histogram) minus(o histogram) histogram {
	out := histogram{bounds: h.bounds, counts: slices.Clone(h.counts)}
	for i := range out.counts {
		if i < len(o.counts) {
			out.counts[i] -= o.counts[i]
		}
	}
	return out
}

// quantile is the upper bound of the bucket holding quantile q.
func (h histogram) quantile(q float64) float64 {
	if len(h.counts) == 0 || h.counts[len(h.counts)-1] == 0 {
		return 0
	}
	total := h.counts[len(h.counts)-1]
	for i, c := range h.counts {
		if c >= q*total {
			return h.bounds[i]
		}
	}
	return math.Inf(1)
}
