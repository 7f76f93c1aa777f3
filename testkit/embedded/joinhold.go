package embedded

import (
	"encoding/binary"
	"net"
	"sync"
	"time"
)

// joinGroupKey is the Kafka API key of JoinGroup.
const joinGroupKey = 11

// joinHoldLimit bounds how long a client's end is kept from kfake while a
// JoinGroup of it waits for its answer: longer than any rebalance timeout
// a client asks for (Kafka's default max.poll.interval.ms is 5 minutes).
const joinHoldLimit = 6 * time.Minute

// joinHoldConn is a Kafka client's connection as kfake sees it: its end is
// not reported to kfake (Read keeps its error) until kfake has answered
// every JoinGroup the client sent, or joinHoldLimit passed.
//
// kfake starts a group member's session timer when it queues the member's
// JoinGroup answer for the connection. Once the connection has ended, a
// select picks between queueing and giving up at random, and a member
// whose answer was given up has no session timer at all: nobody knows its
// id (the answer carried it), so nobody heartbeats or leaves for it, and
// unless something else rebalances the group it keeps its partitions for
// good. A consumer SIGKILLed while its first JoinGroup waited for a
// rebalance left such a member, and the live member leading the rebalance
// handed it half the partitions, consumed by no one after that (the chaos
// suite's orders stuck in awaiting_payment). Kafka schedules the session
// expiry of every member when a join completes, answered or not; holding
// the end until the answer is written gives kfake's member its timer, so
// a dead member leaves after its session timeout like any other.
type joinHoldConn struct {
	net.Conn

	mu       sync.Mutex
	reqs     frameReader         // what kfake reads: requests
	resps    frameReader         // what kfake writes: responses
	joins    map[uint32]struct{} // correlation ids of unanswered JoinGroups
	released bool                // kfake closed the connection
	changed  chan struct{}       // closed when an answer came or kfake closed
}

func newJoinHoldConn(c net.Conn) *joinHoldConn {
	return &joinHoldConn{
		Conn:    c,
		reqs:    frameReader{head: 8}, // api key, version, correlation id
		resps:   frameReader{head: 4}, // correlation id
		changed: make(chan struct{}),
	}
}

// Read reads from the client; when the client is gone it waits for the
// answers to its JoinGroups before saying so.
func (c *joinHoldConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.reqs.feed(p[:n], c.request)
	c.mu.Unlock()
	if err != nil {
		c.awaitAnswers()
	}
	return n, err
}

// Write writes kfake's responses, noting which JoinGroups they answer.
func (c *joinHoldConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.resps.feed(p, c.response)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// Close is kfake's: it is done with the connection, so nothing is held.
func (c *joinHoldConn) Close() error {
	c.mu.Lock()
	if !c.released {
		c.released = true
		c.signal()
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// cut closes the socket (the client is cut off at once) while kfake still
// gets its JoinGroups answered before it sees the end.
func (c *joinHoldConn) cut() error { return c.Conn.Close() }

// request notes a request's head (c.mu held).
func (c *joinHoldConn) request(head []byte) {
	if binary.BigEndian.Uint16(head[0:2]) != joinGroupKey {
		return
	}
	if c.joins == nil {
		c.joins = map[uint32]struct{}{}
	}
	c.joins[binary.BigEndian.Uint32(head[4:8])] = struct{}{}
}

// response notes a response's head (c.mu held).
func (c *joinHoldConn) response(head []byte) {
	corr := binary.BigEndian.Uint32(head)
	if _, ok := c.joins[corr]; ok {
		delete(c.joins, corr)
		c.signal()
	}
}

// signal wakes awaitAnswers (c.mu held).
func (c *joinHoldConn) signal() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// awaitAnswers returns once no JoinGroup is unanswered, kfake closed the
// connection or joinHoldLimit passed.
func (c *joinHoldConn) awaitAnswers() {
	if _, hold := c.pending(); !hold {
		return
	}
	limit := time.NewTimer(joinHoldLimit)
	defer limit.Stop()
	for {
		changed, hold := c.pending()
		if !hold {
			return
		}
		select {
		case <-changed:
		case <-limit.C:
			return
		}
	}
}

// pending says whether the end must still be held, and returns the channel
// closed at the next change.
func (c *joinHoldConn) pending() (<-chan struct{}, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed, len(c.joins) > 0 && !c.released
}

// frameReader follows one direction of a Kafka connection, a sequence of
// frames (a 4-byte big-endian size, then that many bytes), and hands out
// the first head bytes of each frame. A frame shorter than head is not
// Kafka: the reader stops following the stream.
type frameReader struct {
	head   int
	buf    [12]byte // the current frame's size and head, as far as read
	n      int      // bytes in buf
	skip   int64    // bytes of the current frame still to pass over
	broken bool
}

// feed follows p, the next bytes of the stream, calling emit with the head
// of every frame whose head p completes.
func (f *frameReader) feed(p []byte, emit func(head []byte)) {
	for len(p) > 0 && !f.broken {
		if f.skip > 0 {
			k := int(min(int64(len(p)), f.skip))
			f.skip -= int64(k)
			p = p[k:]
			continue
		}
		need := 4 + f.head
		k := copy(f.buf[f.n:need], p)
		f.n += k
		p = p[k:]
		if f.n < need {
			return
		}
		size := int64(binary.BigEndian.Uint32(f.buf[:4]))
		if size < int64(f.head) {
			f.broken = true
			return
		}
		emit(f.buf[4:need])
		f.skip = size - int64(f.head)
		f.n = 0
	}
}
