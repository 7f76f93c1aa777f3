// Package ingest is the gateway's stateless behaviour-event ingestion:
// POST /api/v1/events takes a batch of storefront events (product_viewed,
// search, added_to_cart, checkout_started) from an anonymous or signed-in
// session, validates it, caps its size and the session's request rate,
// stamps the receive time and writes it to Kafka topic analytics.ingest,
// one message per merchant keyed by merchant id, then answers 202. It
// never touches a database and keeps no state but the per-session rate
// buckets of this replica, so it runs with any number of replicas.
//
// Bad input is refused as a whole and nothing is written: malformed JSON,
// unknown types, missing fields or timestamps in the future are 400, a
// body or batch over the limits 413, a session over its rate 429 with
// Retry-After, all application/problem+json.
package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/kafka"
)

// Path is the ingestion endpoint.
const Path = "/api/v1/events"

// Defaults of Options.
const (
	DefaultMaxEvents    = 100
	DefaultMaxBodyBytes = 64 << 10
	DefaultSessionRate  = 20.0
	DefaultSessionBurst = 40
	DefaultMaxFuture    = time.Minute
	DefaultMaxAge       = 7 * 24 * time.Hour
	DefaultWriteTimeout = 5 * time.Second
)

// Options configure a Handler; only Publisher is required.
type Options struct {
	// Publisher writes to TopicAnalyticsIngest (a platform/kafka Writer).
	Publisher kafka.Publisher
	// Topic defaults to events.TopicAnalyticsIngest.
	Topic string
	// MaxEvents caps the events of one request (413 beyond).
	MaxEvents int
	// MaxBodyBytes caps the request body (413 beyond).
	MaxBodyBytes int64
	// SessionRate is the requests per second one session may send on
	// average, SessionBurst how many it may send at once (429 beyond).
	SessionRate  float64
	SessionBurst int
	// MaxFuture is how far an event's time may lie ahead of the receive
	// time (clock skew); MaxAge how far back (a late event still counts
	// in its own minute).
	MaxFuture time.Duration
	MaxAge    time.Duration
	// WriteTimeout bounds the write to Kafka (503 beyond).
	WriteTimeout time.Duration
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Logger defaults to slog.Default(); Registerer receives the metrics.
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Handler serves Path.
type Handler struct {
	opts     Options
	limiter  *limiter
	accepted prometheus.Counter
	refused  *prometheus.CounterVec
}

// New returns a Handler with opts' defaults filled in.
func New(opts Options) *Handler {
	if opts.Topic == "" {
		opts.Topic = events.TopicAnalyticsIngest
	}
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.SessionRate <= 0 {
		opts.SessionRate = DefaultSessionRate
	}
	if opts.SessionBurst <= 0 {
		opts.SessionBurst = DefaultSessionBurst
	}
	if opts.MaxFuture <= 0 {
		opts.MaxFuture = DefaultMaxFuture
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Handler{
		opts:    opts,
		limiter: newLimiter(opts.SessionRate, opts.SessionBurst),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gateway_ingest_events_accepted_total", Help: "Behaviour events accepted and written to Kafka.",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_ingest_requests_refused_total", Help: "Ingestion requests refused, by problem code.",
		}, []string{"code"}),
	}
	if opts.Registerer != nil {
		opts.Registerer.MustRegister(h.accepted, h.refused)
	}
	return h
}

// Register mounts POST Path on r (no token needed: anonymous sessions send
// events too).
func (h *Handler) Register(r gin.IRouter) { r.POST(Path, h.serve) }

// request is the body of POST /api/v1/events.
type request struct {
	SessionID string         `json:"session_id"`
	Events    []requestEvent `json:"events"`
}

type requestEvent struct {
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	Time       *time.Time `json:"time"`
	MerchantID string     `json:"merchant_id"`
	ProductID  string     `json:"product_id"`
	Quantity   *int64     `json:"quantity"`
	Query      string     `json:"query"`
	Results    *int64     `json:"results"`
}

// acceptedBody is the 202 body.
type acceptedBody struct {
	Accepted int `json:"accepted"`
}

// token reports whether s is minLen to 64 letters, digits, '-' or '_'
// (ids, session ids: no regexp on the hot path).
func token(s string, minLen int) bool {
	if len(s) < minLen || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenByte(s[i]) {
			return false
		}
	}
	return true
}

func tokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// maxQueryLen bounds a search query (in bytes).
const maxQueryLen = 200

func (h *Handler) serve(c *gin.Context) {
	received := h.opts.Now().UTC()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.opts.MaxBodyBytes)
	var req request
	if err := httpserver.BindJSON(c, &req); err != nil {
		h.refuse(c, err)
		return
	}
	if !token(req.SessionID, 8) {
		h.refuse(c, apperr.Validation(apperr.FieldError{Field: "session_id", Message: "must be 8 to 64 letters, digits, '-' or '_'"}))
		return
	}
	switch {
	case len(req.Events) == 0:
		h.refuse(c, apperr.Validation(apperr.FieldError{Field: "events", Message: "must hold at least one event"}))
		return
	case len(req.Events) > h.opts.MaxEvents:
		h.refuse(c, fmt.Errorf("%w: a batch holds at most %d events, this one %d", apperr.ErrPayloadTooLarge, h.opts.MaxEvents, len(req.Events)))
		return
	}
	if wait, ok := h.limiter.allow(req.SessionID, received); !ok {
		h.refuse(c, &apperr.RetryableError{Kind: apperr.ErrRateLimited, Detail: "too many event batches from this session", RetryAfter: wait})
		return
	}
	batches, err := h.validate(req, received, c.GetHeader("Authorization") != "")
	if err != nil {
		h.refuse(c, err)
		return
	}
	msgs, err := messages(h.opts.Topic, batches)
	if err != nil {
		h.refuse(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.opts.WriteTimeout)
	defer cancel()
	if err := h.opts.Publisher.Publish(ctx, msgs...); err != nil {
		h.opts.Logger.WarnContext(ctx, "ingest: write to kafka failed", "error", err.Error())
		h.refuse(c, &apperr.RetryableError{Kind: apperr.ErrUnavailable, Detail: "events cannot be stored right now", RetryAfter: time.Second, Err: err})
		return
	}
	h.accepted.Add(float64(len(req.Events)))
	c.JSON(http.StatusAccepted, acceptedBody{Accepted: len(req.Events)})
}

func (h *Handler) refuse(c *gin.Context, err error) {
	_, body := httpserver.Problem(err)
	h.refused.WithLabelValues(body.Code).Inc()
	httpserver.WriteError(c, err)
}

// validate checks every event and groups the valid batch by merchant, in
// the order merchants first appear.
func (h *Handler) validate(req request, received time.Time, signedIn bool) ([]events.BehaviourBatch, error) {
	invalid := apperr.Validation()
	var out []events.BehaviourBatch
	index := map[string]int{}
	for i, e := range req.Events {
		field := func(name string) string { return "events." + strconv.Itoa(i) + "." + name }
		ev, merchant, ok := h.event(e, received, field, invalid)
		if !ok {
			continue
		}
		n, seen := index[merchant]
		if !seen {
			n = len(out)
			index[merchant] = n
			out = append(out, events.BehaviourBatch{MerchantID: merchant, SessionID: req.SessionID, SignedIn: signedIn, ReceivedAt: received})
		}
		out[n].Events = append(out[n].Events, ev)
	}
	if err := invalid.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// event validates one event, adding its field errors to invalid.
func (h *Handler) event(e requestEvent, received time.Time, field func(string) string, invalid *apperr.ValidationError) (events.BehaviourEvent, string, bool) {
	before := len(invalid.Fields)
	if !slices.Contains(events.BehaviourKinds, e.Type) {
		invalid.Add(field("type"), "must be one of product_viewed, search, added_to_cart, checkout_started")
	}
	id := e.ID
	if id == "" {
		id = newID()
	} else if !token(id, 1) {
		invalid.Add(field("id"), "must be 1 to 64 letters, digits, '-' or '_'")
	}
	at := received
	if e.Time != nil {
		at = e.Time.UTC()
		switch {
		case at.After(received.Add(h.opts.MaxFuture)):
			invalid.Add(field("time"), "must not lie in the future")
		case at.Before(received.Add(-h.opts.MaxAge)):
			invalid.Add(field("time"), "is too old")
		}
	}
	merchant := e.MerchantID
	if merchant != "" && !token(merchant, 1) {
		invalid.Add(field("merchant_id"), "must be 1 to 64 letters, digits, '-' or '_'")
	}
	ev := events.BehaviourEvent{ID: id, Type: e.Type, Time: at}
	switch e.Type {
	case events.BehaviourProductViewed, events.BehaviourAddedToCart:
		requireMerchant(merchant, field, invalid)
		if !token(e.ProductID, 1) {
			invalid.Add(field("product_id"), "is required: 1 to 64 letters, digits, '-' or '_'")
		}
		ev.ProductID = e.ProductID
		if e.Type == events.BehaviourAddedToCart {
			ev.Quantity = 1
			if e.Quantity != nil {
				if *e.Quantity < 1 || *e.Quantity > 1000 {
					invalid.Add(field("quantity"), "must be between 1 and 1000")
				}
				ev.Quantity = *e.Quantity
			}
		}
	case events.BehaviourCheckoutStarted:
		requireMerchant(merchant, field, invalid)
	case events.BehaviourSearch:
		if e.Query == "" || len(e.Query) > maxQueryLen || strings.ContainsFunc(e.Query, unicode.IsControl) {
			invalid.Add(field("query"), fmt.Sprintf("is required, at most %d bytes, no control characters", maxQueryLen))
		}
		if e.Results == nil || *e.Results < 0 {
			invalid.Add(field("results"), "is required: the number of results, 0 or more")
		} else {
			ev.Results = *e.Results
		}
		ev.Query = e.Query
		if merchant == "" {
			merchant = events.PlatformKey
		}
	}
	return ev, merchant, len(invalid.Fields) == before
}

func requireMerchant(merchant string, field func(string) string, invalid *apperr.ValidationError) {
	if merchant == "" {
		invalid.Add(field("merchant_id"), "is required for this type")
	}
}

// messages turns the batches into Kafka messages keyed by merchant: each a
// CloudEvents envelope (events.Envelope's JSON) whose data is the batch.
// The envelope is assembled around the data's JSON, so the events are
// encoded once (json.Marshal of an Envelope would compact them again).
func messages(topic string, batches []events.BehaviourBatch) ([]kafka.Message, error) {
	out := make([]kafka.Message, 0, len(batches))
	for _, b := range batches {
		data, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("ingest: encode batch: %w", err)
		}
		head, err := json.Marshal(events.Envelope{
			SpecVersion: events.SpecVersion, ID: newID(), Source: events.SourceGateway, Type: events.TypeBehaviourBatch,
			Subject: b.MerchantID, Time: b.ReceivedAt, DataContentType: events.ContentTypeJSON,
		})
		if err != nil {
			return nil, fmt.Errorf("ingest: encode envelope: %w", err)
		}
		value := make([]byte, 0, len(head)+len(data)+10)
		value = append(value, head[:len(head)-1]...)
		value = append(value, `,"data":`...)
		value = append(value, data...)
		value = append(value, '}')
		out = append(out, kafka.Message{Topic: topic, Key: b.MerchantID, Value: value})
	}
	return out, nil
}

// newID is a random event id for events that came without one.
func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(errors.New("ingest: no randomness")) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}
