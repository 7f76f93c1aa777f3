package consumer_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/analytics/internal/consumer"
	"github.com/mercato-shop/mercato/analytics/internal/store"
	"github.com/mercato-shop/mercato/analytics/internal/usecase"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/kafka"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Kafka: true, Mongo: true}))
}

func batch(t *testing.T, merchant string, views int) kafka.Message {
	t.Helper()
	b := events.BehaviourBatch{MerchantID: merchant, SessionID: "sess-12345678", ReceivedAt: time.Now().UTC()}
	for i := range views {
		b.Events = append(b.Events, events.BehaviourEvent{ID: fmt.Sprint(i), Type: events.BehaviourProductViewed, Time: time.Now().UTC(), ProductID: "p1"})
	}
	env, err := events.New(events.SourceGateway, events.TypeBehaviourBatch, merchant, b)
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return kafka.Message{Key: merchant, Value: v}
}

// run consumes topic in group until the returned stop is called.
func run(t *testing.T, svc *usecase.Service, topic, group string, w kafka.Publisher) (stop func()) {
	t.Helper()
	c := consumer.NewIngest(consumer.IngestOptions{
		Brokers: embeddedtest.Brokers(), Topic: topic, Group: group, Service: svc, DLQ: w,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	var once bool
	stop = func() {
		if !once {
			once = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

func waitViews(t *testing.T, svc *usecase.Service, merchant string, want int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var got int64
	for time.Now().Before(deadline) {
		d, err := svc.Dashboard(context.Background(), merchant)
		if err != nil {
			t.Fatal(err)
		}
		if got = d.Today.Views; got == want {
			return
		}
		if got > want {
			t.Fatalf("%d views, want %d", got, want)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
	t.Fatalf("%d views, want %d", got, want)
}

func TestPartitionsAreAppliedInBatchesAndARestartedGroupCountsNothingTwice(t *testing.T) {
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	svc := usecase.New(store.New(db.Read, db.Write), nil, nil)
	topic := embeddedtest.Topic(t, 3)
	w := kafka.NewWriter(embeddedtest.Brokers())
	t.Cleanup(func() { _ = w.Close() })
	publish := func(msgs ...kafka.Message) {
		for i := range msgs {
			msgs[i].Topic = topic
		}
		if err := w.Publish(context.Background(), msgs...); err != nil {
			t.Fatal(err)
		}
	}
	var first []kafka.Message
	for i := range 30 {
		first = append(first, batch(t, fmt.Sprintf("m-%d", i%3), 10))
	}
	first = append(first, kafka.Message{Key: "m-0", Value: []byte("not an event")})
	publish(first...)

	group := embeddedtest.UniqueName("analytics-ingest")
	stop := run(t, svc, topic, group, w)
	for m := range 3 {
		waitViews(t, svc, fmt.Sprintf("m-%d", m), 100)
	}
	stop()

	// A new member of the same group resumes after the committed offsets;
	// then a group that starts from the beginning (a rewind) reads
	// everything again: the documents' guards skip it all.
	publish(batch(t, "m-0", 5))
	stop = run(t, svc, topic, group, w)
	waitViews(t, svc, "m-0", 105)
	stop()
	run(t, svc, topic, embeddedtest.UniqueName("rewound"), w)
	publish(batch(t, "m-1", 1)) // a marker behind everything the rewound group reads
	waitViews(t, svc, "m-1", 101)
	waitViews(t, svc, "m-0", 105)
	if d, err := svc.Dashboard(context.Background(), "_platform"); err != nil || d.Today.Views != 306 {
		t.Fatalf("platform views %d (%v), want 306", d.Today.Views, err)
	}
}
