package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/gateway/internal/ingest"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Kafka: true}))
}

// fixture is the endpoint on a real (kfake) topic of its own, and what
// a consumer group read from that topic.
type fixture struct {
	url   string
	topic string
	mu    sync.Mutex
	got   []kafka.Message
}

var now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, opts ingest.Options) *fixture {
	t.Helper()
	// One partition: messages come back in the order they were written.
	f := &fixture{topic: embeddedtest.Topic(t, 1)}
	w := kafka.NewWriter(embeddedtest.Brokers())
	t.Cleanup(func() { _ = w.Close() })
	opts.Publisher, opts.Topic, opts.Now = w, f.topic, func() time.Time { return now }
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httpserver.New(httpserver.Options{Service: "gateway", Logger: logger})
	ingest.New(opts).Register(srv.Router())
	hs := httptest.NewServer(srv.Router())
	t.Cleanup(hs.Close)
	f.url = hs.URL

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	c := kafka.NewConsumer(kafka.ConsumerConfig{
		Brokers: embeddedtest.Brokers(), GroupID: embeddedtest.UniqueName("g"), Topics: []string{f.topic},
		DLQPublisher: w, Logger: logger,
		Handler: func(_ context.Context, m kafka.Message) error {
			f.mu.Lock()
			f.got = append(f.got, m)
			f.mu.Unlock()
			return nil
		},
	})
	go func() { defer close(done); _ = c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return f
}

func (f *fixture) post(t *testing.T, body string) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := http.Post(f.url+ingest.Path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header
}

func (f *fixture) messages() []kafka.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]kafka.Message(nil), f.got...)
}

// waitMessages polls until n messages arrived or the deadline passes.
func (f *fixture) waitMessages(t *testing.T, n int) []kafka.Message {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if got := f.messages(); len(got) >= n {
			return got
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
	t.Fatalf("got %d messages, want %d", len(f.messages()), n)
	return nil
}

func batchOf(events ...string) string {
	return `{"session_id":"sess-12345678","events":[` + strings.Join(events, ",") + `]}`
}

func TestAValidBatchIsWrittenKeyedByMerchantAndStamped(t *testing.T) {
	f := newFixture(t, ingest.Options{})
	status, body, _ := f.post(t, batchOf(
		`{"type":"product_viewed","merchant_id":"m-a","product_id":"p1","time":"2026-12-02T11:59:00Z"}`,
		`{"type":"added_to_cart","merchant_id":"m-a","product_id":"p1","quantity":2}`,
		`{"type":"checkout_started","merchant_id":"m-b"}`,
		`{"type":"search","query":"blue kite","results":0}`,
	))
	if status != http.StatusAccepted || body["accepted"] != float64(4) {
		t.Fatalf("status %d, body %v", status, body)
	}
	msgs := f.waitMessages(t, 3)
	byKey := map[string]events.BehaviourBatch{}
	for _, m := range msgs {
		env, err := events.Parse(m.Value)
		if err != nil || env.Type != events.TypeBehaviourBatch || env.Subject != m.Key {
			t.Fatalf("message %s: %+v %v", m.Value, env, err)
		}
		var b events.BehaviourBatch
		if err := env.Decode(&b); err != nil {
			t.Fatal(err)
		}
		byKey[m.Key] = b
	}
	a := byKey["m-a"]
	if len(a.Events) != 2 || !a.ReceivedAt.Equal(now) || a.SessionID != "sess-12345678" || a.Events[1].Quantity != 2 {
		t.Fatalf("merchant a's batch %+v", a)
	}
	if !a.Events[0].Time.Equal(now.Add(-time.Minute)) || !a.Events[1].Time.Equal(now) || a.Events[0].ID == "" {
		t.Errorf("event times or ids: %+v", a.Events)
	}
	if len(byKey["m-b"].Events) != 1 || len(byKey[events.PlatformKey].Events) != 1 || byKey[events.PlatformKey].Events[0].Query != "blue kite" {
		t.Errorf("other batches %+v", byKey)
	}
}

func TestBadInputIsRefusedAndNothingIsWritten(t *testing.T) {
	f := newFixture(t, ingest.Options{MaxEvents: 5, MaxBodyBytes: 4096})
	view := `{"type":"product_viewed","merchant_id":"m-a","product_id":"p1"}`
	many := make([]string, 6)
	for i := range many {
		many[i] = view
	}
	cases := []struct {
		name, body string
		status     int
		code       string
	}{
		{"malformed JSON", `{"session_id":"sess-12345678","events":[`, 400, "validation_failed"},
		{"unknown field", `{"session_id":"sess-12345678","events":[],"x":1}`, 400, "validation_failed"},
		{"no events", batchOf(), 400, "validation_failed"},
		{"bad session", `{"session_id":"x","events":[` + view + `]}`, 400, "validation_failed"},
		{"unknown type", batchOf(`{"type":"purchase","merchant_id":"m-a"}`), 400, "validation_failed"},
		{"future time", batchOf(`{"type":"product_viewed","merchant_id":"m-a","product_id":"p1","time":"2026-12-02T13:00:00Z"}`), 400, "validation_failed"},
		{"missing product", batchOf(`{"type":"product_viewed","merchant_id":"m-a"}`), 400, "validation_failed"},
		{"one bad among good", batchOf(view, `{"type":"search","query":"x"}`), 400, "validation_failed"},
		{"too many events", batchOf(many...), 413, "payload_too_large"},
		{"oversized body", batchOf(`{"type":"search","results":0,"query":"` + strings.Repeat("a", 5000) + `"}`), 413, "payload_too_large"},
	}
	for _, tc := range cases {
		status, body, _ := f.post(t, tc.body)
		if status != tc.status || body["code"] != tc.code {
			t.Errorf("%s: status %d, body %v; want %d %s", tc.name, status, body, tc.status, tc.code)
		}
	}
	// A marker batch written last comes back first on the one partition
	// only if every request before it wrote nothing.
	if status, _, _ := f.post(t, batchOf(`{"type":"checkout_started","merchant_id":"marker"}`)); status != http.StatusAccepted {
		t.Fatalf("marker: %d", status)
	}
	if msgs := f.waitMessages(t, 1); msgs[0].Key != "marker" {
		t.Fatalf("a refused request wrote %q", msgs[0].Value)
	}
}

func TestAFloodFromOneSessionIsThrottled(t *testing.T) {
	f := newFixture(t, ingest.Options{SessionRate: 1, SessionBurst: 3})
	body := batchOf(`{"type":"checkout_started","merchant_id":"m-a"}`)
	statuses := map[int]int{}
	var retryAfter string
	for range 10 {
		status, problem, h := f.post(t, body)
		statuses[status]++
		if status == http.StatusTooManyRequests {
			retryAfter = h.Get("Retry-After")
			if problem["code"] != "rate_limited" {
				t.Fatalf("429 body %v", problem)
			}
		}
	}
	if statuses[http.StatusAccepted] != 3 || statuses[http.StatusTooManyRequests] != 7 || retryAfter == "" {
		t.Fatalf("statuses %v, Retry-After %q", statuses, retryAfter)
	}
	// Another session is not affected.
	other := strings.Replace(body, "sess-12345678", "sess-other-1", 1)
	if status, _, _ := f.post(t, other); status != http.StatusAccepted {
		t.Fatalf("another session: %d", status)
	}
	if got := len(f.waitMessages(t, 4)); got != 4 {
		t.Fatalf("%d messages, want 4", got)
	}
}

func BenchmarkIngestBatchOf50(b *testing.B) {
	w := kafka.NewWriter(embeddedtest.Brokers())
	defer w.Close()
	topic := embeddedtest.Topic(b, 3)
	h := ingest.New(ingest.Options{Publisher: w, Topic: topic, SessionRate: 1e9, SessionBurst: 1e9})
	srv := httpserver.New(httpserver.Options{Service: "gateway", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h.Register(srv.Router())
	evs := make([]string, 50)
	for i := range evs {
		evs[i] = fmt.Sprintf(`{"type":"product_viewed","merchant_id":"m-%d","product_id":"p%d"}`, i%7, i)
	}
	body := []byte(batchOf(evs...))
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, ingest.Path, bytes.NewReader(body))
			rec := httptest.NewRecorder()
			srv.Router().ServeHTTP(rec, req)
			if rec.Code != http.StatusAccepted {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N*50)/b.Elapsed().Seconds(), "events/s")
}
