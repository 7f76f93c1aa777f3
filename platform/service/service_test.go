package service

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	kafkago "github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/testkit/embedded"
)

type testConfig struct {
	config.Common
	config.Mongo
	config.Kafka
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRunServesPublishesAndDrains runs a whole service on the embedded
// infrastructure: it becomes ready, creates its topics, publishes a document's
// outbox through the relay, and stops cleanly when its context ends.
func TestRunServesPublishesAndDrains(t *testing.T) {
	k, err := embedded.StartKafka(embedded.KafkaOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	m, err := embedded.StartMongo(embedded.MongoOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	addr := freeAddr(t)
	t.Setenv("HTTP_ADDR", addr)
	t.Setenv("MONGO_URI", m.URI())
	t.Setenv("MONGO_SINGLE_WRITER", "true")
	t.Setenv("KAFKA_BROKERS", k.Addr())
	t.Setenv("LOG_LEVEL", "warn")
	topic := "svctest.events"

	var cfg testConfig
	spec := Spec{Name: "svctest", DefaultAddr: ":0", Config: &cfg, Topics: []string{topic}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, spec, func(ctx context.Context, app *App) error {
			coll := app.Store.Write.Collection("things")
			app.Relay.Watch(coll)
			app.Router().POST("/things/:id", func(c *gin.Context) {
				entry, err := outbox.NewEvent(c, topic, events.SourceOrders, events.TypeOrderPaid, c.Param("id"), events.OrderPaid{OrderID: c.Param("id")})
				if err != nil {
					c.Status(http.StatusInternalServerError)
					return
				}
				if _, err := coll.InsertOne(c, bson.M{"_id": c.Param("id"), outbox.Field: []outbox.Entry{entry}}); err != nil {
					c.Status(http.StatusInternalServerError)
					return
				}
				app.Relay.Notify(coll, c.Param("id"))
				c.Status(http.StatusCreated)
			})
			return nil
		})
	}()

	base := "http://" + addr
	waitFor(t, "readiness", func() bool { return status(base+"/readyz") == http.StatusOK })
	if got := status(base + "/healthz"); got != http.StatusOK {
		t.Fatalf("/healthz = %d", got)
	}
	resp, err := http.Post(base+"/things/t1", "application/json", nil)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /things/t1: %v %v", resp, err)
	}
	resp.Body.Close()

	reader := kafkago.NewReader(kafkago.ReaderConfig{Brokers: []string{k.Addr()}, GroupID: "svctest-reader", Topic: topic, StartOffset: kafkago.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer reader.Close()
	readCtx, readCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer readCancel()
	msg, err := reader.ReadMessage(readCtx)
	if err != nil {
		t.Fatalf("the relay published nothing: %v", err)
	}
	var env events.Envelope
	if err := json.Unmarshal(msg.Value, &env); err != nil || env.Subject != "t1" || string(msg.Key) != "t1" {
		t.Fatalf("published %s (key %s): %v", msg.Value, msg.Key, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after a graceful stop", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if status(base+"/healthz") != 0 {
		t.Fatal("the server still answers after shutdown")
	}
}

func TestRunFailsOnBadConfigNamingTheVariable(t *testing.T) {
	t.Setenv("SHUTDOWN_TIMEOUT", "soon")
	var cfg testConfig
	err := Run(context.Background(), Spec{Name: "svctest", DefaultAddr: ":0", Config: &cfg}, func(context.Context, *App) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "SHUTDOWN_TIMEOUT") {
		t.Fatalf("err = %v, want one naming SHUTDOWN_TIMEOUT", err)
	}
}

func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8081":          "http://127.0.0.1:8081/healthz",
		"0.0.0.0:8082":   "http://127.0.0.1:8082/healthz",
		"127.0.0.1:8083": "http://127.0.0.1:8083/healthz",
		"[::]:8084":      "http://127.0.0.1:8084/healthz",
	} {
		got, err := healthURL(addr)
		if err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if _, err := healthURL("8081"); err == nil {
		t.Error("healthURL accepted an address without a port")
	}
}
