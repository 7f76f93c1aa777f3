// Command sagaprofile shows where the time of the checkout saga goes, from
// the events themselves. It reads every event of orders.events,
// catalog.events and payments.events from a broker, groups them by order
// (the CloudEvents subject) and, for each step of each paid order, splits
// its latency in two:
//
//   - relay: from the event's creation (its CloudEvents time, set in the
//     handler that wrote it) to its append in Kafka (the message
//     timestamp): the store write, the outbox relay's wake-up, its load,
//     publish and acknowledgement;
//   - consume: from that append to the creation of the next step's event:
//     the consumer's fetch wait, queueing behind other messages, and the
//     next handler's store round trips (and, for payment.succeeded, the
//     Stripe call and webhook).
//
// It prints p50/p90/p99 per step. Run it against a stack under load:
//
//	go run ./devstack/cmd/sagaprofile -kafka 127.0.0.1:9092
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/mercato-shop/mercato/platform/events"
)

// steps are the saga's events of a paid order, in causal order.
var steps = []string{
	events.TypeOrderPlaced,
	events.TypeStockReserved,
	events.TypeOrderPaymentRequested,
	events.TypePaymentSucceeded,
	events.TypeOrderPaid,
	events.TypeStockCommitted,
}

// seen is one event as it reached Kafka.
type seen struct {
	created  time.Time // CloudEvents time
	appended time.Time // Kafka message timestamp
}

func main() {
	addr := flag.String("kafka", "127.0.0.1:9092", "broker host:port")
	since := flag.Duration("since", 0, "only orders placed within this long before now (0: all)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	orders := map[string]map[string]seen{}
	for _, topic := range []string{events.TopicOrders, events.TopicCatalog, events.TopicPayments} {
		if err := readTopic(ctx, *addr, topic, orders); err != nil {
			log.Fatalf("sagaprofile: %s: %v", topic, err)
		}
	}
	report(orders, *since)
}

// readTopic reads every partition of topic from its first offset to its
// end, filing the saga's events by subject.
func readTopic(ctx context.Context, addr, topic string, orders map[string]map[string]seen) error {
	conn, err := kafkago.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	parts, err := conn.ReadPartitions(topic)
	_ = conn.Close()
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := readPartition(ctx, addr, topic, p.ID, orders); err != nil {
			return err
		}
	}
	return nil
}

func readPartition(ctx context.Context, addr, topic string, partition int, orders map[string]map[string]seen) error {
	conn, err := kafkago.DialLeader(ctx, "tcp", addr, topic, partition)
	if err != nil {
		return err
	}
	defer conn.Close()
	first, last, err := conn.ReadOffsets()
	if err != nil {
		return err
	}
	if _, err := conn.Seek(first, kafkago.SeekAbsolute); err != nil {
		return err
	}
	for offset := first; offset < last; {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		batch := conn.ReadBatch(1, 10<<20)
		for {
			msg, err := batch.ReadMessage()
			if err != nil {
				break
			}
			offset = msg.Offset + 1
			var env events.Envelope
			if json.Unmarshal(msg.Value, &env) != nil || !slices.Contains(steps, env.Type) || env.Subject == "" {
				continue
			}
			if orders[env.Subject] == nil {
				orders[env.Subject] = map[string]seen{}
			}
			if _, dup := orders[env.Subject][env.Type]; !dup {
				orders[env.Subject][env.Type] = seen{created: env.Time, appended: msg.Time}
			}
		}
		if err := batch.Close(); err != nil {
			return err
		}
	}
	return nil
}

// report prints the percentiles of each step's relay and consume time over
// the orders that went through every step.
func report(orders map[string]map[string]seen, since time.Duration) {
	relay := make([][]time.Duration, len(steps))
	consume := make([][]time.Duration, len(steps))
	var total []time.Duration
	complete := 0
	for _, evs := range orders {
		if len(evs) != len(steps) {
			continue
		}
		if since > 0 && time.Since(evs[steps[0]].created) > since {
			continue
		}
		complete++
		for i, step := range steps {
			relay[i] = append(relay[i], evs[step].appended.Sub(evs[step].created))
			if i+1 < len(steps) {
				consume[i] = append(consume[i], evs[steps[i+1]].created.Sub(evs[step].appended))
			}
		}
		total = append(total, evs[events.TypeOrderPaid].created.Sub(evs[steps[0]].created))
	}
	fmt.Printf("%d orders through every step (of %d with saga events)\n", complete, len(orders))
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "step\trelay p50\tp90\tp99\tthen consume p50\tp90\tp99")
	for i, step := range steps {
		r := percentiles(relay[i])
		c := "\t\t"
		if i+1 < len(steps) {
			c = percentiles(consume[i])
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", step, r, c)
	}
	fmt.Fprintf(tw, "placed→paid event\t%s\t\t\t\n", percentiles(total))
	_ = tw.Flush()
}

func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "-\t-\t-"
	}
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	ms := func(x time.Duration) string { return fmt.Sprintf("%.1fms", float64(x.Microseconds())/1000) }
	return ms(at(0.5)) + "\t" + ms(at(0.9)) + "\t" + ms(at(0.99))
}
