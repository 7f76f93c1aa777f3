package stripeemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Delivery is the webhook delivery record of one event.
type Delivery struct {
	EventID string `json:"event_id"`
	Type    string `json:"type"`
	// Attempts counts POSTs to the webhook URL, failed ones included.
	Attempts int `json:"attempts"`
	// Delivered counts 2xx answers: 2 when the event was sent twice on
	// purpose (duplicate deliveries switched on).
	Delivered  int    `json:"delivered"`
	LastStatus int    `json:"last_status"`
	LastError  string `json:"last_error,omitempty"`
	// Done tells that no more attempts will be made.
	Done bool `json:"done"`
}

// emit records an event about obj and schedules its delivery. It runs with
// the state lock held; delivery happens in the background.
func (e *Emulator) emit(eventType string, obj any) {
	ev := event{
		ID: newID("evt"), Object: "event", APIVersion: APIVersion, Created: time.Now().Unix(),
		Data: eventData{Object: obj}, Type: eventType,
		Request: map[string]any{"id": nil, "idempotency_key": nil}, PendingWebhooks: 1,
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		e.log.Error("cannot encode event", "type", eventType, "error", err)
		return
	}
	e.events[ev.ID] = payload
	copies, delay, gap := e.faults.webhookFaults()
	e.hooks.send(ev.ID, eventType, payload, copies, delay, gap)
}

// webhooks delivers signed events to one URL, retrying failures with
// exponential backoff.
type webhooks struct {
	opts   Options
	log    *slog.Logger
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	url        string
	deliveries map[string]*Delivery
	order      []string
}

func newWebhooks(opts Options, log *slog.Logger) *webhooks {
	ctx, cancel := context.WithCancel(context.Background())
	return &webhooks{opts: opts, log: log, client: &http.Client{Timeout: 10 * time.Second},
		ctx: ctx, cancel: cancel, url: opts.WebhookURL, deliveries: map[string]*Delivery{}}
}

func (w *webhooks) setURL(url string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.url = url
}

func (w *webhooks) close() {
	w.cancel()
	w.wg.Wait()
}

// send delivers payload copies times, each until acknowledged, the first
// after delay and each further one gap after the previous.
func (w *webhooks) send(eventID, eventType string, payload []byte, copies int, delay, gap time.Duration) {
	w.mu.Lock()
	d := &Delivery{EventID: eventID, Type: eventType}
	w.deliveries[eventID] = d
	w.order = append(w.order, eventID)
	url := w.url
	w.mu.Unlock()
	if url == "" {
		w.update(d, func() { d.LastError, d.Done = "no webhook URL configured", true })
		return
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer w.update(d, func() { d.Done = true })
		for i := range copies {
			wait := delay
			if i > 0 {
				wait = gap
			}
			if wait > 0 {
				select {
				case <-w.ctx.Done():
					return
				case <-time.After(wait):
				}
			}
			if !w.deliverWithRetries(url, d, payload) {
				return
			}
		}
	}()
}

// deliverWithRetries posts until a 2xx answer, MaxAttempts, or close.
func (w *webhooks) deliverWithRetries(url string, d *Delivery, payload []byte) bool {
	pause := w.opts.WebhookRetryMin
	for attempt := 1; ; attempt++ {
		status, err := w.post(url, payload)
		w.update(d, func() {
			d.Attempts++
			d.LastStatus = status
			d.LastError = ""
			if err != nil {
				d.LastError = err.Error()
			}
			if err == nil && status/100 == 2 {
				d.Delivered++
			}
		})
		if err == nil && status/100 == 2 {
			return true
		}
		if attempt >= w.opts.WebhookMaxAttempts {
			w.log.Warn("webhook delivery abandoned", "event", d.EventID, "type", d.Type, "attempts", attempt, "status", status, "error", err)
			return false
		}
		select {
		case <-w.ctx.Done():
			return false
		case <-time.After(pause):
		}
		pause = min(2*pause, w.opts.WebhookRetryMax)
	}
}

// post sends one signed delivery.
func (w *webhooks) post(url string, payload []byte) (int, error) {
	req, err := http.NewRequestWithContext(w.ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return 0, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks) mercato-emulator")
	req.Header.Set("Stripe-Signature", SignatureHeader(payload, w.opts.WebhookSecret, time.Now()))
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("webhook post: %w", err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func (w *webhooks) update(d *Delivery, change func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	change()
}

// list returns copies of the delivery records, oldest first.
func (w *webhooks) list() []Delivery {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Delivery, 0, len(w.order))
	for _, id := range w.order {
		out = append(out, *w.deliveries[id])
	}
	return out
}

// Deliveries lists the webhook delivery records, oldest first.
func (e *Emulator) Deliveries() []Delivery { return e.hooks.list() }

// DeliveriesOf lists the deliveries of events of the given types.
func (e *Emulator) DeliveriesOf(types ...string) []Delivery {
	all := e.hooks.list()
	out := all[:0]
	for _, d := range all {
		if slices.Contains(types, d.Type) {
			out = append(out, d)
		}
	}
	return out
}

// SignatureHeader is the Stripe-Signature header of payload signed with
// secret at time t: "t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<payload>")>".
func SignatureHeader(payload []byte, secret string, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(payload)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}
