package embedded_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/mercato-shop/mercato/testkit/embedded"
)

// ghostPartitions is the partition count of the ghost test's topic, and
// ghostGroups the number of groups a consumer dies joining.
const ghostPartitions, ghostGroups = 4, 8

// TestConsumerKilledInJoinDoesNotKeepPartitions is the chaos suite's stuck
// orders: a consumer killed while its first JoinGroup waits for the
// rebalance must not keep a share of the partitions. In each group a ghost
// (a raw client that sends a JoinGroup and is gone at once, as a SIGKILLed
// process is) joins while the live member, the leader, consumes; the live
// member rejoins and the rebalance completes with both, so the leader hands
// the ghost half the partitions. A ghost never heartbeats: after its
// session timeout it must be out of its group and the live member must
// consume every partition again.
//
// kfake starts a member's session timer when its JoinGroup answer is
// queued for the connection, which after the connection closed happens on
// a coin toss (a select between the queue and the connection's end); a
// member that lost it stayed in the group for good, its partitions read by
// no one, unless something else rebalanced the group. With eight groups
// the old code passes this test once in 256 runs.
func TestConsumerKilledInJoinDoesNotKeepPartitions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	k, err := embedded.StartKafka(embedded.KafkaOptions{Partitions: ghostPartitions})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	const topic = "events"
	w := &kafka.Writer{Addr: kafka.TCP(k.Addr()), Topic: topic, RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond, AllowAutoTopicCreation: true, Balancer: byKeyPartition{}}
	defer w.Close()
	produceRound(ctx, t, w, "before")

	groups := make([]string, ghostGroups)
	readers := make([]*kafka.Reader, ghostGroups)
	for i := range groups {
		groups[i] = fmt.Sprintf("g%d", i)
		readers[i] = kafka.NewReader(kafka.ReaderConfig{
			Brokers: []string{k.Addr()}, GroupID: groups[i], GroupTopics: []string{topic},
			StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond,
			SessionTimeout: 2 * time.Second, HeartbeatInterval: 200 * time.Millisecond,
			RebalanceTimeout: 2 * time.Second, JoinGroupBackoff: 100 * time.Millisecond,
		})
		defer readers[i].Close()
	}
	phase, end := context.WithTimeout(ctx, 30*time.Second)
	for i, r := range readers {
		if missing := readRound(phase, r, "before"); len(missing) > 0 {
			t.Fatalf("%s: the only member never read partitions %v", groups[i], missing)
		}
	}
	end()

	for _, g := range groups {
		if err := joinAndVanish(k.Addr(), "ghost-"+g, g, topic); err != nil {
			t.Fatal(err)
		}
	}
	// The live member rejoins and the rebalance ends with the ghost in it;
	// then the ghost's session must end and give its partitions back.
	phase, end = context.WithTimeout(ctx, 20*time.Second)
	defer end()
	for _, g := range groups {
		if err := waitGroup(phase, k.Addr(), g, 2); err != nil {
			t.Fatalf("%s: the ghost never got into the group: %v", g, err)
		}
	}
	produceRound(ctx, t, w, "after")
	// Every group reads, and settles, side by side within one deadline.
	phase, end = context.WithTimeout(ctx, 20*time.Second)
	defer end()
	failures := make([]string, ghostGroups)
	var wg sync.WaitGroup
	for i, r := range readers {
		wg.Go(func() {
			if missing := readRound(phase, r, "after"); len(missing) > 0 {
				failures[i] = fmt.Sprintf("partitions %v never delivered after a consumer died joining: its member kept them", missing)
				return
			}
			if err := waitGroup(phase, k.Addr(), groups[i], 1); err != nil {
				failures[i] = fmt.Sprintf("the ghost is still in the group: %v", err)
			}
		})
	}
	wg.Wait()
	for i, f := range failures {
		if f != "" {
			t.Errorf("%s: %s", groups[i], f)
		}
	}
}

// joinAndVanish sends a JoinGroup v1 as a new member of group, subscribed
// to topic with the range protocol, and closes the connection without
// waiting for the answer.
func joinAndVanish(addr, clientID, group, topic string) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	var meta []byte // ConsumerProtocolMetadata v0
	meta = binary.BigEndian.AppendUint16(meta, 0)
	meta = binary.BigEndian.AppendUint32(meta, 1)
	meta = appendString(meta, topic)
	meta = binary.BigEndian.AppendUint32(meta, 0) // no user data

	var body []byte
	body = binary.BigEndian.AppendUint16(body, 11) // JoinGroup
	body = binary.BigEndian.AppendUint16(body, 1)  // v1
	body = binary.BigEndian.AppendUint32(body, 1)  // correlation id
	body = appendString(body, clientID)
	body = appendString(body, group)
	body = binary.BigEndian.AppendUint32(body, 2000) // session timeout
	body = binary.BigEndian.AppendUint32(body, 2000) // rebalance timeout
	body = appendString(body, "")                    // new member
	body = appendString(body, "consumer")
	body = binary.BigEndian.AppendUint32(body, 1)
	body = appendString(body, "range")
	body = binary.BigEndian.AppendUint32(body, uint32(len(meta)))
	body = append(body, meta...)

	frame := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	if _, err := c.Write(append(frame, body...)); err != nil {
		return fmt.Errorf("ghost join: %w", err)
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// produceRound writes one message to every partition, keyed by partition.
func produceRound(ctx context.Context, t *testing.T, w *kafka.Writer, value string) {
	t.Helper()
	msgs := make([]kafka.Message, ghostPartitions)
	for p := range msgs {
		msgs[p] = kafka.Message{Key: []byte{byte(p)}, Value: []byte(value)}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := w.WriteMessages(ctx, msgs...)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("produce %s: %v", value, err)
		}
	}
}

// readRound reads until a message with value came from every partition or
// ctx ended, and returns the partitions it did not see.
func readRound(ctx context.Context, r *kafka.Reader, value string) []int {
	seen := map[int]bool{}
	for len(seen) < ghostPartitions {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			break
		}
		if string(m.Value) == value {
			seen[m.Partition] = true
		}
		_ = r.CommitMessages(ctx, m)
	}
	var missing []int
	for p := range ghostPartitions {
		if !seen[p] {
			missing = append(missing, p)
		}
	}
	slices.Sort(missing)
	return missing
}

// waitGroup polls until group is stable with members members, or ctx
// ended.
func waitGroup(ctx context.Context, addr, group string, members int) error {
	c := &kafka.Client{Addr: kafka.TCP(addr), Timeout: 5 * time.Second}
	for {
		resp, err := c.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		state := fmt.Sprint(err)
		if err == nil && len(resp.Groups) == 1 {
			g := resp.Groups[0]
			if g.Error == nil && g.GroupState == "Stable" && len(g.Members) == members {
				return nil
			}
			state = fmt.Sprintf("%s with %d members (error %v)", g.GroupState, len(g.Members), g.Error)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s, want Stable with %d", state, members)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// byKeyPartition sends a message to the partition its one-byte key names.
type byKeyPartition struct{}

func (byKeyPartition) Balance(m kafka.Message, partitions ...int) int {
	return partitions[int(m.Key[0])%len(partitions)]
}
