// Package testenv is the notifications service's test infrastructure: the
// embedded FerretDB and kfake (testkit/embedded/embeddedtest), the
// devstack's SMTP sink, and a running service wired to them.
package testenv

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/consumer"
	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/mailer"
	"github.com/mercato-shop/mercato/notifications/internal/store"
	"github.com/mercato-shop/mercato/notifications/internal/usecase"
	"github.com/mercato-shop/mercato/notifications/internal/webhook"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/testkit/mailsink"
)

// Run starts FerretDB and kfake for the package's tests (TestMain).
func Run(m *testing.M) int {
	return embeddedtest.Main(m, embeddedtest.Options{Mongo: true, Kafka: true})
}

// Env is a running notifications service on its own database, sending to
// its own SMTP sink.
type Env struct {
	DB    *mongodb.Store
	Store *store.Store
	Svc   *usecase.Service
	Sink  *mailsink.Sink
}

// Fast retry policies for tests.
var (
	FastMail    = domain.RetryPolicy{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond, GiveUpAfter: time.Minute}
	FastWebhook = domain.RetryPolicy{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond, GiveUpAfter: time.Minute}
)

// New starts a service whose workers run until the test ends; opts'
// zero retry policies become FastMail and FastWebhook, and webhooks may
// point at loopback (the test's receivers).
func New(t *testing.T, opts usecase.Options) *Env {
	t.Helper()
	db := embeddedtest.Database(t, config.Mongo{})
	st := store.New(db)
	if err := st.EnsureIndexes(context.Background()); err != nil {
		t.Fatal(err)
	}
	sink, err := mailsink.Start(mailsink.Options{Logger: Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	sender, err := mailer.NewSMTP(mailer.SMTPOptions{Addr: sink.Addr(), From: "no-reply@mercato.test", FromName: "Mercato", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if opts.MailRetry.Min == 0 {
		opts.MailRetry = FastMail
	}
	if opts.WebhookRetry.Min == 0 {
		opts.WebhookRetry = FastWebhook
	}
	opts.URLPolicy.AllowLoopback = true
	if opts.Logger == nil {
		opts.Logger = Logger()
	}
	if opts.Lease == 0 {
		opts.Lease = 10 * time.Second
	}
	svc, err := usecase.New(st, sender, webhook.NewClient(opts.URLPolicy, 5*time.Second), opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { svc.RunMail(ctx, 50*time.Millisecond) })
	wg.Go(func() { svc.RunWebhooks(ctx, 50*time.Millisecond) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return &Env{DB: db, Store: st, Svc: svc, Sink: sink}
}

// Consume runs the service's consumer on a fresh topic until the test
// ends and returns a function that publishes envelopes to it (each keyed
// by its subject, as the producers do).
func (e *Env) Consume(t *testing.T) func(envs ...events.Envelope) {
	t.Helper()
	topic := embeddedtest.Topic(t, 1)
	w := kafka.NewWriter(embeddedtest.Brokers())
	t.Cleanup(func() { _ = w.Close() })
	c := kafka.NewConsumer(kafka.ConsumerConfig{
		Brokers: embeddedtest.Brokers(), GroupID: embeddedtest.UniqueName("notifications"), Topics: []string{topic},
		Handler:      func(ctx context.Context, m kafka.Message) error { return consumer.Handlers(e.Svc).Handle(ctx, m.Value) },
		DLQPublisher: w, Logger: Logger(), InitialBackoff: 20 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return func(envs ...events.Envelope) {
		t.Helper()
		msgs := make([]kafka.Message, len(envs))
		for i, env := range envs {
			b, err := env.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			msgs[i] = kafka.Message{Topic: topic, Key: env.Subject, Value: b}
		}
		pctx, pcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer pcancel()
		if err := w.Publish(pctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
}

// Event builds an envelope of eventType about subject.
func Event(t *testing.T, source, eventType, subject string, data any) events.Envelope {
	t.Helper()
	env, err := events.New(source, eventType, subject, data)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// Eventually polls cond until it holds or limit passes.
func Eventually(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s (last: %s)", what, limit, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Logger discards logs below warnings.
func Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
